#include "scoring/similarity.h"

#include <algorithm>
#include <numeric>

namespace seealso {

SparseRow RowOf(const SparseMatrix& m, int32_t row) {
  const int32_t begin = m.outerIndexPtr()[row];
  const int32_t end = m.outerIndexPtr()[row + 1];
  return {m.innerIndexPtr() + begin, m.valuePtr() + begin, end - begin};
}

SparseRow RowOf(const SparseVector& v) { return {v.innerIndexPtr(), v.valuePtr(), v.nonZeros()}; }

float Dot(SparseRow a, SparseRow b) {
  float sum = 0;
  ForSharedTerms(a, b, [&](int32_t, float x) { sum += x; });
  return sum;
}

SimilarityIndex::SimilarityIndex(const SparseMatrix& docs) : docs_(docs) {
  // Counting sort of the matrix's entries by term, then each term's postings
  // by weight (heaviest first, ties by document).
  const int64_t terms = docs.cols();
  offset_.assign(terms + 1, 0);
  for (int64_t k = 0; k < docs.nonZeros(); ++k) ++offset_[docs.innerIndexPtr()[k] + 1];
  std::partial_sum(offset_.begin(), offset_.end(), offset_.begin());
  doc_.resize(docs.nonZeros());
  weight_.resize(docs.nonZeros());
  std::vector<int64_t> fill(offset_.begin(), offset_.end() - 1);
  for (int32_t d = 0; d < docs.rows(); ++d) {
    const SparseRow row = RowOf(docs, d);
    for (int64_t i = 0; i < row.size; ++i) {
      const int64_t at = fill[row.term[i]]++;
      doc_[at] = d;
      weight_[at] = row.weight[i];
    }
  }
  // Each term's heaviest kImpactPrefix postings go first, heaviest first (ties
  // by document); the rest stay in document order, which keeps the exact
  // path's accumulator writes mostly sequential on long postings lists.
  std::vector<std::pair<float, int32_t>> postings;
  for (int64_t t = 0; t < terms; ++t) {
    const int64_t begin = offset_[t], end = offset_[t + 1];
    const int64_t prefix = std::min<int64_t>(end - begin, kImpactPrefix);
    postings.clear();
    for (int64_t k = begin; k < end; ++k) postings.emplace_back(weight_[k], doc_[k]);
    auto heavier = [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    std::partial_sort(postings.begin(), postings.begin() + prefix, postings.end(), heavier);
    std::sort(postings.begin() + prefix, postings.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    for (int64_t k = begin; k < end; ++k) {
      weight_[k] = postings[k - begin].first;
      doc_[k] = postings[k - begin].second;
    }
  }
}

void SimilarityIndex::ScoreExact(SparseRow query, ScoreAccumulator* acc) const {
  // Term at a time, in increasing term order: each document's sum is formed
  // in the same order as Dot(), so both give bit-identical scores.
  for (int64_t i = 0; i < query.size; ++i) {
    const int32_t t = query.term[i];
    const float q = query.weight[i];
    for (int64_t k = offset_[t]; k < offset_[t + 1]; ++k) acc->Add(doc_[k], q * weight_[k]);
  }
}

void SimilarityIndex::Score(SparseRow query, const Pruning& pruning,
                            ScoreAccumulator* acc) const {
  if (pruning.exact()) {
    ScoreExact(query, acc);
    return;
  }
  if (pruning.exact_below_postings > 0) {
    int64_t work = 0;
    for (int64_t i = 0; i < query.size; ++i) {
      work += offset_[query.term[i] + 1] - offset_[query.term[i]];
    }
    if (work <= pruning.exact_below_postings) {
      ScoreExact(query, acc);
      return;
    }
  }
  // The query's heaviest terms carry most of any cosine: gather candidates
  // from their heaviest postings only.
  std::vector<int64_t> order(static_cast<size_t>(query.size));
  std::iota(order.begin(), order.end(), 0);
  const size_t m = pruning.query_terms > 0
                       ? std::min(order.size(), static_cast<size_t>(pruning.query_terms))
                       : order.size();
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), order.end(),
                    [&](int64_t a, int64_t b) {
                      return query.weight[a] != query.weight[b] ? query.weight[a] > query.weight[b]
                                                                : a < b;
                    });
  for (size_t j = 0; j < m; ++j) {
    const int32_t t = query.term[order[j]];
    const float q = query.weight[order[j]];
    const int64_t end =
        pruning.postings_per_term > 0
            ? std::min(offset_[t + 1],
                       offset_[t] + std::min<int64_t>(pruning.postings_per_term, kImpactPrefix))
            : offset_[t + 1];
    for (int64_t k = offset_[t]; k < end; ++k) acc->Add(doc_[k], q * weight_[k]);
  }
  // Keep the best candidates by partial score and score them exactly.
  std::vector<std::pair<float, int32_t>> candidates;
  candidates.reserve(acc->touched().size());
  for (int32_t d : acc->touched()) candidates.emplace_back(acc->score(d), d);
  const size_t r = pruning.rescore > 0
                       ? std::min(candidates.size(), static_cast<size_t>(pruning.rescore))
                       : candidates.size();
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(r),
                    candidates.end(), [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  acc->Clear();
  for (size_t j = 0; j < r; ++j) {
    const int32_t d = candidates[j].second;
    acc->Add(d, Dot(query, RowOf(docs_, d)));
  }
}

}  // namespace seealso
