#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace seealso::eval {
namespace {

// The grade earned at each of the first min(k, size) ranks: the judged grade
// at an id's first occurrence, 0 for unjudged ids and repeats.
std::vector<int> GradesAtRanks(const std::vector<ScoredLink>& list, const Judgments& judged,
                               int k) {
  const size_t n = std::min(list.size(), static_cast<size_t>(std::max(k, 0)));
  std::vector<int> grades(n, 0);
  absl::flat_hash_set<int64_t> seen;
  for (size_t i = 0; i < n; ++i) {
    if (!seen.insert(list[i].id).second) continue;
    auto it = judged.find(list[i].id);
    if (it != judged.end()) grades[i] = it->second;
  }
  return grades;
}

int CountRelevant(const Judgments& judged) {
  return static_cast<int>(
      std::count_if(judged.begin(), judged.end(), [](const auto& j) { return j.second > 0; }));
}

double Dcg(const std::vector<int>& grades) {
  double dcg = 0;
  for (size_t i = 0; i < grades.size(); ++i) dcg += grades[i] / std::log2(i + 2.0);
  return dcg;
}

ArticleResult Score(int64_t id, const std::vector<ScoredLink>& list, const Judgments& judged,
                    int k) {
  return {.id = id,
          .ndcg = NdcgAtK(list, judged, k),
          .precision = PrecisionAtK(list, judged, k),
          .recall = RecallAtK(list, judged, k),
          .reciprocal_rank = ReciprocalRankAtK(list, judged, k),
          .average_precision = AveragePrecisionAtK(list, judged, k)};
}

}  // namespace

double NdcgAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k) {
  std::vector<int> ideal;
  for (const auto& [id, grade] : judged) {
    if (grade > 0) ideal.push_back(grade);
  }
  std::sort(ideal.begin(), ideal.end(), std::greater<>());
  if (ideal.size() > static_cast<size_t>(k)) ideal.resize(k);
  const double best = Dcg(ideal);
  return best > 0 ? Dcg(GradesAtRanks(list, judged, k)) / best : 0.0;
}

double PrecisionAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k) {
  if (k < 1) return 0;
  const std::vector<int> grades = GradesAtRanks(list, judged, k);
  return std::count_if(grades.begin(), grades.end(), [](int g) { return g > 0; }) /
         static_cast<double>(k);
}

double RecallAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k) {
  const int relevant = CountRelevant(judged);
  if (relevant == 0) return 0;
  const std::vector<int> grades = GradesAtRanks(list, judged, k);
  return std::count_if(grades.begin(), grades.end(), [](int g) { return g > 0; }) /
         static_cast<double>(relevant);
}

double ReciprocalRankAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k) {
  const std::vector<int> grades = GradesAtRanks(list, judged, k);
  for (size_t i = 0; i < grades.size(); ++i) {
    if (grades[i] > 0) return 1.0 / static_cast<double>(i + 1);
  }
  return 0;
}

double AveragePrecisionAtK(const std::vector<ScoredLink>& list, const Judgments& judged, int k) {
  const int relevant = CountRelevant(judged);
  if (relevant == 0 || k < 1) return 0;
  const std::vector<int> grades = GradesAtRanks(list, judged, k);
  double sum = 0;
  int hits = 0;
  for (size_t i = 0; i < grades.size(); ++i) {
    if (grades[i] > 0) sum += ++hits / static_cast<double>(i + 1);
  }
  return sum / std::min(k, relevant);
}

RelevanceMetrics EvaluateRelevance(const Ranking& ranking, const Qrels& qrels, int k,
                                   std::vector<ArticleResult>* per_article) {
  static const std::vector<ScoredLink> kNoList;
  RelevanceMetrics m;
  for (const auto& [id, judged] : qrels) {
    if (CountRelevant(judged) == 0) continue;
    auto it = ranking.find(id);
    const ArticleResult r = Score(id, it == ranking.end() ? kNoList : it->second, judged, k);
    ++m.articles;
    m.ndcg += r.ndcg;
    m.precision += r.precision;
    m.recall += r.recall;
    m.mrr += r.reciprocal_rank;
    m.map += r.average_precision;
    if (per_article != nullptr) per_article->push_back(r);
  }
  if (m.articles > 0) {
    for (double* x : {&m.ndcg, &m.precision, &m.recall, &m.mrr, &m.map}) *x /= m.articles;
  }
  return m;
}

double Gini(std::vector<int64_t> counts) {
  std::sort(counts.begin(), counts.end());
  double total = 0, weighted = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    total += static_cast<double>(counts[i]);
    weighted += static_cast<double>(i + 1) * static_cast<double>(counts[i]);
  }
  if (total == 0) return 0;
  const double n = static_cast<double>(counts.size());
  return 2 * weighted / (n * total) - (n + 1) / n;
}

HygieneMetrics EvaluateHygiene(const Ranking& ranking, const Catalogue& catalogue,
                               const DupGroups& dups, int k) {
  HygieneMetrics h;
  // id -> the duplicate groups it belongs to.
  absl::flat_hash_map<int64_t, std::vector<size_t>> groups_of;
  for (size_t g = 0; g < dups.size(); ++g) {
    for (int64_t id : dups[g]) groups_of[id].push_back(g);
  }
  absl::flat_hash_map<int64_t, int64_t> in_links;
  int64_t known_pairs = 0, cross_subject = 0, scored = 0;
  double score_sum = 0;
  for (const auto& [id, subject] : catalogue) {
    auto it = ranking.find(id);
    if (it == ranking.end() || it->second.empty()) ++h.empty_lists;
  }
  for (const auto& [id, full_list] : ranking) {
    const size_t n = std::min(full_list.size(), static_cast<size_t>(std::max(k, 0)));
    absl::flat_hash_set<int64_t> seen;
    absl::flat_hash_map<size_t, int> group_hits;
    bool dup_group_list = false;
    const auto source = catalogue.find(id);
    for (size_t i = 0; i < n; ++i) {
      const ScoredLink& link = full_list[i];
      ++h.links;
      if (!std::isnan(link.score)) {
        ++scored;
        score_sum += link.score;
      }
      if (link.id == id) ++h.self_links;
      if (!seen.insert(link.id).second) {
        ++h.repeated_ids;
        continue;  // A repeat is one defect; it does not add in-links or dup hits.
      }
      if (auto g = groups_of.find(link.id); g != groups_of.end()) {
        for (size_t group : g->second) dup_group_list |= ++group_hits[group] >= 2;
      }
      const auto target = catalogue.find(link.id);
      if (target == catalogue.end()) {
        ++h.unknown_ids;
        continue;
      }
      ++in_links[link.id];
      if (source != catalogue.end()) {
        ++known_pairs;
        cross_subject += source->second != target->second;
      }
    }
    h.dup_group_lists += dup_group_list;
  }
  std::vector<int64_t> counts;
  counts.reserve(catalogue.size());
  for (const auto& [id, subject] : catalogue) {
    auto it = in_links.find(id);
    counts.push_back(it == in_links.end() ? 0 : it->second);
  }
  if (!catalogue.empty()) {
    h.coverage = static_cast<double>(in_links.size()) / static_cast<double>(catalogue.size());
  }
  h.in_link_gini = Gini(std::move(counts));
  if (known_pairs > 0) {
    h.cross_subject_share = static_cast<double>(cross_subject) / static_cast<double>(known_pairs);
  }
  if (scored > 0) h.mean_score = score_sum / static_cast<double>(scored);
  return h;
}

EvalReport Evaluate(const Ranking& ranking, const Catalogue& catalogue, const Qrels* qrels,
                    const DupGroups& dups, int k) {
  EvalReport report;
  report.k = k;
  report.hygiene = EvaluateHygiene(ranking, catalogue, dups, k);
  if (qrels != nullptr) {
    report.relevance = EvaluateRelevance(ranking, *qrels, k, &report.per_article);
    for (int cut = 1; cut <= k; ++cut) {
      report.curve.push_back(EvaluateRelevance(ranking, *qrels, cut));
    }
  }
  return report;
}

}  // namespace seealso::eval
