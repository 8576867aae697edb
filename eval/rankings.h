// Rankings produced in-process: the engine's, and the links already in the files.
#ifndef SEEALSO_EVAL_RANKINGS_H_
#define SEEALSO_EVAL_RANKINGS_H_

#include <vector>

#include "embeddings/article.h"
#include "eval/judgments.h"
#include "eval/metrics.h"
#include "scoring/rank_options.h"
#include "scoring/related_index.h"

namespace seealso::eval {

// Every indexed article's list from the engine under `options` (the same
// lists `seealso links` writes, with scores rounded to the same 6 decimals so the two paths
// agree exactly).
Ranking EngineRanking(const RelatedIndex& index, const RankOptions& options, int threads = 0);

// The related_articleN blocks of each article, in N order, defects included;
// scores are NaN. Articles without blocks get an empty list.
Ranking ExistingRanking(const std::vector<Article>& articles);

// id -> subject of each article.
Catalogue CatalogueOf(const std::vector<Article>& articles);

}  // namespace seealso::eval

#endif  // SEEALSO_EVAL_RANKINGS_H_
