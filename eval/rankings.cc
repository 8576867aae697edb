#include "eval/rankings.h"

#include <cmath>
#include <limits>

namespace seealso::eval {

Ranking EngineRanking(const RelatedIndex& index, const RankOptions& options, int threads) {
  const auto lists = index.AllTopK(options, threads);
  Ranking ranking;
  for (int32_t doc = 0; doc < index.size(); ++doc) {
    auto& list = ranking[index.article(doc).id];
    for (const Related& r : lists[doc]) {
      // `seealso links` prints 6 decimals; round alike so both paths score the same.
      list.push_back({index.article(r.doc).id, std::round(double{r.score} * 1e6) / 1e6});
    }
  }
  return ranking;
}

Ranking ExistingRanking(const std::vector<Article>& articles) {
  Ranking ranking;
  for (const Article& a : articles) {
    auto& list = ranking[a.id];
    for (const RelatedLink& link : a.related) {
      list.push_back({link.id, std::numeric_limits<double>::quiet_NaN()});
    }
  }
  return ranking;
}

Catalogue CatalogueOf(const std::vector<Article>& articles) {
  Catalogue catalogue;
  for (const Article& a : articles) catalogue[a.id] = a.subject;
  return catalogue;
}

}  // namespace seealso::eval
