// Offline evaluation metrics over plain data (see docs/evaluation.md for the
// definitions). Nothing here depends on the engine: a Ranking from any system
// is judged by the same code.
#ifndef SEEALSO_EVAL_METRICS_H_
#define SEEALSO_EVAL_METRICS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eval/judgments.h"

namespace seealso::eval {

// Per-list relevance metrics at cut-off k (k >= 1). Only the first k entries
// of `list` count, in the order given (equal scores are not reordered); an id
// repeated in the list earns its gain at its first position only. `judged`
// holds the article's judgments; unjudged ids are not relevant.

// nDCG@k: DCG = sum over ranks r <= k of grade / log2(r + 1), divided by the
// DCG of the best k judged grades. 0 when no judgment is relevant.
double NdcgAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k);
// P@k: relevant entries in the top k, divided by k (a short list is not excused).
double PrecisionAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k);
// R@k: relevant entries in the top k, divided by the number of relevant judgments.
double RecallAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k);
// 1 / rank of the first relevant entry in the top k; 0 if there is none.
double ReciprocalRankAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k);
// AP@k: sum of P@r over the ranks r <= k holding a relevant entry, divided by
// min(k, number of relevant judgments).
double AveragePrecisionAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k);

// What is known about the articles being linked (the corpus): their subjects.
// An id not in the catalogue is a stale link.
using Catalogue = std::map<int64_t, std::string>;

// Means over the articles with at least one relevant judgment; an article
// without a list scores 0.
struct RelevanceMetrics {
  int articles = 0;
  double ndcg = 0;
  double precision = 0;
  double recall = 0;
  double mrr = 0;
  double map = 0;
};

// List hygiene over every list of the ranking (top k of each), judged or not.
struct HygieneMetrics {
  // Catalogue articles with no entry in the ranking, or an empty list.
  int empty_lists = 0;
  int64_t links = 0;
  // Entries pointing at the list's own article.
  int64_t self_links = 0;
  // Entries repeating an id already earlier in the same list.
  int64_t repeated_ids = 0;
  // Entries pointing outside the catalogue.
  int64_t unknown_ids = 0;
  // Lists holding two or more members of one duplicate group.
  int dup_group_lists = 0;
  // Among entries whose both ends are in the catalogue, the share with a
  // different subject.
  double cross_subject_share = 0;
  // Share of catalogue articles that appear in at least one list.
  double coverage = 0;
  // Gini coefficient of in-link counts over the catalogue (0 = every article
  // linked equally often, towards 1 = a few articles take every link).
  double in_link_gini = 0;
  // Mean score of the entries that have one; nullopt when none has.
  std::optional<double> mean_score;
};

struct ArticleResult {
  int64_t id = 0;
  double ndcg = 0;
  double precision = 0;
  double recall = 0;
  double reciprocal_rank = 0;
  double average_precision = 0;
};

struct EvalReport {
  int k = 0;
  // Present when qrels were given.
  std::optional<RelevanceMetrics> relevance;
  HygieneMetrics hygiene;
  // One per judged article, in id order.
  std::vector<ArticleResult> per_article;
  // relevance at cut-offs 1..k (curve[i] is at i + 1); empty without qrels.
  std::vector<RelevanceMetrics> curve;
};

// Relevance metrics at `k` over every article of `qrels` with a relevant judgment.
RelevanceMetrics EvaluateRelevance(const Ranking& ranking, const Qrels& qrels, int k,
                                   std::vector<ArticleResult>* per_article = nullptr);

// Hygiene of the top k of every list against `catalogue` and `dups`.
HygieneMetrics EvaluateHygiene(const Ranking& ranking, const Catalogue& catalogue,
                               const DupGroups& dups, int k);

// Gini coefficient of non-negative counts; 0 for an empty or all-zero input.
double Gini(std::vector<int64_t> counts);

// Everything above, for one ranking. `qrels` may be null.
EvalReport Evaluate(const Ranking& ranking, const Catalogue& catalogue, const Qrels* qrels,
                    const DupGroups& dups, int k);

}  // namespace seealso::eval

#endif  // SEEALSO_EVAL_METRICS_H_
