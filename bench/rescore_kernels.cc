// Times ways of rescoring the pruned path's candidates exactly (query . doc
// over sparse rows) on a real index, in one process, variants alternated in
// rounds (docs/benchmarks.md, "Where the time goes at 1M"):
//   rescore_kernels SNAPSHOT [QUERIES] [ROUNDS] [FIRST_DOC]
// Candidates are made as SimilarityIndex::Score makes them with the default
// pruning (20 heaviest query terms, their 1,000 heaviest postings, the best
// 200 by partial score); every variant must give the dense gather's bits
// ("differ" counts sums that do not; the streaming floor is not a dot product).
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "bench/kernel_bench.h"
#include "scoring/rank_options.h"
#include "scoring/related_index.h"
#include "scoring/similarity.h"

namespace seealso {
namespace {

// Open addressing, a quarter full at most: the query's terms and weights.
class QueryHash {
 public:
  explicit QueryHash(SparseRow row) {
    size_t cap = 16;
    while (cap < 4 * static_cast<size_t>(row.size)) cap *= 2;
    mask_ = cap - 1;
    key_.assign(cap, -1);
    value_.assign(cap, 0.0f);
    for (int64_t i = 0; i < row.size; ++i) {
      size_t h = Hash(row.term[i]);
      while (key_[h] != -1) h = (h + 1) & mask_;
      key_[h] = row.term[i];
      value_[h] = row.weight[i];
    }
  }
  float Dot(SparseRow other) const {
    float sum = 0;
    for (int64_t i = 0; i < other.size; ++i) {
      const int32_t t = other.term[i];
      size_t h = Hash(t);
      while (key_[h] != -1 && key_[h] != t) h = (h + 1) & mask_;
      sum += value_[h] * other.weight[i];  // value 0 in an empty slot
    }
    return sum;
  }

 private:
  size_t Hash(int32_t t) const { return (static_cast<uint32_t>(t) * 0x9E3779B1u >> 7) & mask_; }
  size_t mask_ = 0;
  std::vector<int32_t> key_;
  std::vector<float> value_;
};

// The merge without unpredictable branches: both indices advance by
// comparisons, a product counts only where the terms match (masked to +0).
float BranchlessMergeDot(SparseRow a, SparseRow b) {
  float sum = 0;
  int64_t i = 0, j = 0;
  while (i < a.size && j < b.size) {
    const int32_t x = a.term[i], y = b.term[j];
    const uint32_t keep = 0u - static_cast<uint32_t>(x == y);
    sum += std::bit_cast<float>(std::bit_cast<uint32_t>(a.weight[i] * b.weight[j]) & keep);
    i += x <= y;
    j += y <= x;
  }
  return sum;
}

// The gather as it was before the filter: every term of the other row reads
// the dense array.
class PlainDense {
 public:
  PlainDense(SparseRow row, float* dense) : row_(row), dense_(dense) {
    for (int64_t i = 0; i < row_.size; ++i) dense_[row_.term[i]] = row_.weight[i];
  }
  ~PlainDense() {
    for (int64_t i = 0; i < row_.size; ++i) dense_[row_.term[i]] = 0.0f;
  }
  float Dot(SparseRow other) const {
    float sum = 0;
    for (int64_t i = 0; i < other.size; ++i) sum += dense_[other.term[i]] * other.weight[i];
    return sum;
  }

 private:
  SparseRow row_;
  float* dense_;
};

void PrefetchRow(SparseRow row) {
  for (int64_t i = 0; i < row.size; i += 16) {
    __builtin_prefetch(row.term + i);
    __builtin_prefetch(row.weight + i);
  }
}

struct Work {
  int32_t query;
  std::vector<int32_t> candidates;
};

std::vector<int32_t> Candidates(const SimilarityIndex& index, SparseRow query, const Pruning& p,
                                std::vector<float>& score) {
  const SimilarityIndex::Parts& parts = index.parts();
  std::vector<int64_t> order(static_cast<size_t>(query.size));
  std::iota(order.begin(), order.end(), 0);
  const size_t m = std::min(order.size(), static_cast<size_t>(p.query_terms));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), order.end(),
                    [&](int64_t a, int64_t b) {
                      return query.weight[a] != query.weight[b] ? query.weight[a] > query.weight[b]
                                                                : a < b;
                    });
  std::vector<int32_t> touched;
  for (size_t j = 0; j < m; ++j) {
    const int32_t t = query.term[order[j]];
    const int64_t begin = parts.postings_start[static_cast<size_t>(t)];
    const int64_t end = std::min(parts.postings_start[static_cast<size_t>(t) + 1],
                                 begin + p.postings_per_term);
    for (int64_t k = begin; k < end; ++k) {
      const int32_t d = parts.postings_doc[static_cast<size_t>(k)];
      if (score[d] == 0) touched.push_back(d);
      score[d] += query.weight[order[j]] * parts.postings_weight[static_cast<size_t>(k)];
    }
  }
  std::vector<std::pair<float, int32_t>> c;
  for (int32_t d : touched) c.emplace_back(score[d], d), score[d] = 0;
  const size_t r = std::min(c.size(), static_cast<size_t>(p.rescore));
  std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(r), c.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  std::vector<int32_t> out;
  for (size_t j = 0; j < r; ++j) out.push_back(c[j].second);
  return out;
}

int Main(int argc, char** argv) {
  const std::optional<KernelBenchArgs> args = ParseKernelBenchArgs("rescore_kernels", argc, argv);
  if (!args) return 2;
  const auto [snapshot, queries, rounds, first] = *args;
  using Clock = std::chrono::steady_clock;
  const std::unique_ptr<const RelatedIndex> loaded = LoadKernelBenchSnapshot(snapshot);
  if (loaded == nullptr) return 1;
  const RelatedIndex& index = *loaded;
  const SparseMatrixView m = index.embeddings().matrix();
  const Pruning pruning = RankOptions().pruning;
  std::vector<float> score(static_cast<size_t>(index.size()), 0.0f);
  std::vector<Work> work;
  int64_t pairs = 0;
  for (int q = first; q < std::min(index.size(), first + queries); ++q) {
    work.push_back({q, Candidates(index.similarity(), RowOf(m, q), pruning, score)});
    pairs += static_cast<int64_t>(work.back().candidates.size());
  }
  std::vector<float> dense(static_cast<size_t>(m.cols()), 0.0f);
  std::vector<uint64_t> filter(ScatteredRow::kFilterWords, 0);
  const RowScratch scratch{dense.data(), filter.data()};
  std::vector<uint32_t> expected;
  for (const Work& w : work) {
    const PlainDense s(RowOf(m, w.query), dense.data());
    for (int32_t d : w.candidates) expected.push_back(std::bit_cast<uint32_t>(s.Dot(RowOf(m, d))));
  }

  struct Variant {
    const char* name;
    // Sums of every (query, candidate) pair, in order, into `out`.
    void (*run)(const SparseMatrixView&, const std::vector<Work>&, RowScratch, std::vector<float>&);
  };
  const Variant variants[] = {
      {"dense gather (before)",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch scratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           const PlainDense s(RowOf(m, w.query), scratch.dense);
           for (int32_t d : w.candidates) out.push_back(s.Dot(RowOf(m, d)));
         }
       }},
      {"filter + dense (ScatteredRow)",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch scratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           const ScatteredRow s(RowOf(m, w.query), scratch);
           for (int32_t d : w.candidates) out.push_back(s.Dot(RowOf(m, d)));
         }
       }},
      {"filter + dense + prefetch",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch scratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           const ScatteredRow s(RowOf(m, w.query), scratch);
           for (size_t j = 0; j < w.candidates.size(); ++j) {
             if (j + 1 < w.candidates.size()) PrefetchRow(RowOf(m, w.candidates[j + 1]));
             out.push_back(s.Dot(RowOf(m, w.candidates[j])));
           }
         }
       }},
      {"dense gather + prefetch",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch scratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           const PlainDense s(RowOf(m, w.query), scratch.dense);
           for (size_t j = 0; j < w.candidates.size(); ++j) {
             if (j + 1 < w.candidates.size()) PrefetchRow(RowOf(m, w.candidates[j + 1]));
             out.push_back(s.Dot(RowOf(m, w.candidates[j])));
           }
         }
       }},
      {"merge, branchy (Dot)",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           const SparseRow q = RowOf(m, w.query);
           for (int32_t d : w.candidates) out.push_back(Dot(q, RowOf(m, d)));
         }
       }},
      {"merge, branchless",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           const SparseRow q = RowOf(m, w.query);
           for (int32_t d : w.candidates) out.push_back(BranchlessMergeDot(q, RowOf(m, d)));
         }
       }},
      {"query hash",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           const QueryHash h(RowOf(m, w.query));
           for (int32_t d : w.candidates) out.push_back(h.Dot(RowOf(m, d)));
         }
       }},
      {"stream rows only (floor)",
       [](const SparseMatrixView& m, const std::vector<Work>& work, RowScratch,
          std::vector<float>& out) {
         for (const Work& w : work) {
           for (int32_t d : w.candidates) {
             const SparseRow r = RowOf(m, d);
             float sum = 0;
             for (int64_t i = 0; i < r.size; ++i) sum += static_cast<float>(r.term[i] & 1) * r.weight[i];
             out.push_back(sum);
           }
         }
       }},
  };
  std::printf("%zu queries, %ld pairs, %.0f non-zeros per row\n", work.size(),
              static_cast<long>(pairs), static_cast<double>(m.nonZeros()) / m.rows());
  std::vector<float> out;
  out.reserve(static_cast<size_t>(pairs));
  for (int r = 0; r < rounds; ++r) {
    for (const Variant& v : variants) {
      out.clear();
      const auto start = Clock::now();
      v.run(m, work, scratch, out);
      const double s = std::chrono::duration<double>(Clock::now() - start).count();
      size_t differ = 0;
      for (size_t i = 0; i < out.size(); ++i) differ += std::bit_cast<uint32_t>(out[i]) != expected[i];
      std::printf("round %d  %-28s %8.1f ns/pair  %7.1f us/query  %zu differ\n", r, v.name,
                  1e9 * s / static_cast<double>(pairs), 1e6 * s / static_cast<double>(work.size()),
                  differ);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace seealso

int main(int argc, char** argv) { return seealso::Main(argc, argv); }
