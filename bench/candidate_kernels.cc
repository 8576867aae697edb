// Times ways of generating the pruned path's candidates (SimilarityIndex::Score
// before rescoring: the query's heaviest terms' heaviest postings summed per
// document, then the best `rescore` by partial score) on a real index, in one
// process, variants alternated in rounds (docs/benchmarks.md, "Where the time
// goes at 1M"):
//   candidate_kernels SNAPSHOT [QUERIES] [ROUNDS] [FIRST_DOC]
// At a million articles the per-document sums are random writes over a 4 MB
// array; the variants differ only in the order of those writes. Every variant
// must pick the same candidates with bit-identical partial scores ("differ"
// counts queries that do not).
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "bench/kernel_bench.h"
#include "scoring/rank_options.h"
#include "scoring/related_index.h"
#include "scoring/similarity.h"

namespace seealso {
namespace {

using Candidates = std::vector<std::pair<float, int32_t>>;

// The query's `m` heaviest terms, heaviest first (ties by position), as Score
// takes them.
std::vector<int64_t> HeaviestTerms(SparseRow query, size_t m) {
  std::vector<int64_t> order(static_cast<size_t>(query.size));
  std::iota(order.begin(), order.end(), 0);
  m = std::min(m, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), order.end(),
                    [&](int64_t a, int64_t b) {
                      return query.weight[a] != query.weight[b] ? query.weight[a] > query.weight[b]
                                                                : a < b;
                    });
  order.resize(m);
  return order;
}

// The best `rescore` of the touched documents by partial score.
void Best(const ScoreAccumulator& acc, size_t rescore, Candidates* out) {
  out->clear();
  for (int32_t d : acc.touched()) out->emplace_back(acc.score(d), d);
  const size_t r = std::min(out->size(), rescore);
  std::partial_sort(out->begin(), out->begin() + static_cast<std::ptrdiff_t>(r), out->end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  out->resize(r);
}

// The same selection by nth_element, then sorting only the best.
void BestBySelect(const ScoreAccumulator& acc, size_t rescore, Candidates* out) {
  out->clear();
  for (int32_t d : acc.touched()) out->emplace_back(acc.score(d), d);
  const size_t r = std::min(out->size(), rescore);
  auto better = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  if (r < out->size()) {
    std::nth_element(out->begin(), out->begin() + static_cast<std::ptrdiff_t>(r), out->end(), better);
  }
  out->resize(r);
  std::sort(out->begin(), out->end(), better);
}

struct Context {
  const SimilarityIndex::Parts* parts;
  Pruning pruning;
  ScoreAccumulator* acc;
  // Scratch for the bucketed variant.
  std::vector<std::pair<int32_t, float>> buffer, sorted;
  std::vector<uint32_t> bucket_start;
};

template <typename F>
void ForPrefixPostings(const Context& c, SparseRow query, F f) {
  for (int64_t i : HeaviestTerms(query, static_cast<size_t>(c.pruning.query_terms))) {
    const int32_t t = query.term[i];
    const float q = query.weight[i];
    const int64_t begin = c.parts->postings_start[static_cast<size_t>(t)];
    const int64_t end = std::min(c.parts->postings_start[static_cast<size_t>(t) + 1],
                                 begin + c.pruning.postings_per_term);
    f(q, begin, end);
  }
}

// The sums added in place, the sum kAhead postings on prefetched first (0:
// none), then the best picked by `kSelect`.
template <int kAhead, void (*kSelect)(const ScoreAccumulator&, size_t, Candidates*) = Best>
void InPlace(Context& c, SparseRow query, Candidates* out) {
  const int32_t* doc = c.parts->postings_doc.data();
  const float* weight = c.parts->postings_weight.data();
  ForPrefixPostings(c, query, [&](float q, int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      if (kAhead > 0 && k + kAhead < end) c.acc->Prefetch(doc[k + kAhead]);
      c.acc->Add(doc[k], q * weight[k]);
    }
  });
  kSelect(*c.acc, static_cast<size_t>(c.pruning.rescore), out);
  c.acc->Clear();
}

// Postings first copied out as (document, product) in term order, then
// stably bucketed by document range (2^16 documents, 256 KB of sums, per
// bucket), so each bucket's sums stay in the L2 cache. Per document the terms
// still add in query order: the sums are bit-identical.
void Bucketed(Context& c, SparseRow query, Candidates* out) {
  const int32_t* doc = c.parts->postings_doc.data();
  const float* weight = c.parts->postings_weight.data();
  c.buffer.clear();
  ForPrefixPostings(c, query, [&](float q, int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) c.buffer.emplace_back(doc[k], q * weight[k]);
  });
  constexpr int kShift = 16;
  const size_t buckets = (static_cast<size_t>(c.acc->num_docs()) >> kShift) + 1;
  c.bucket_start.assign(buckets + 1, 0);
  for (const auto& [d, x] : c.buffer) ++c.bucket_start[(static_cast<uint32_t>(d) >> kShift) + 1];
  for (size_t b = 0; b < buckets; ++b) c.bucket_start[b + 1] += c.bucket_start[b];
  c.sorted.resize(c.buffer.size());
  for (const auto& e : c.buffer) c.sorted[c.bucket_start[static_cast<uint32_t>(e.first) >> kShift]++] = e;
  for (const auto& [d, x] : c.sorted) c.acc->Add(d, x);
  Best(*c.acc, static_cast<size_t>(c.pruning.rescore), out);
  c.acc->Clear();
}

int Main(int argc, char** argv) {
  const std::optional<KernelBenchArgs> args = ParseKernelBenchArgs("candidate_kernels", argc, argv);
  if (!args) return 2;
  const auto [snapshot, queries, rounds, first] = *args;
  using Clock = std::chrono::steady_clock;
  const std::unique_ptr<const RelatedIndex> loaded = LoadKernelBenchSnapshot(snapshot);
  if (loaded == nullptr) return 1;
  const RelatedIndex& index = *loaded;
  const SparseMatrixView m = index.embeddings().matrix();
  ScoreAccumulator acc(index.size());
  Context c{&index.similarity().parts(), RankOptions().pruning, &acc, {}, {}, {}};
  std::vector<int32_t> work;
  for (int q = first; q < std::min(index.size(), first + queries); ++q) work.push_back(q);

  std::vector<Candidates> expected(work.size());
  for (size_t i = 0; i < work.size(); ++i) InPlace<0>(c, RowOf(m, work[i]), &expected[i]);

  struct Variant {
    const char* name;
    void (*run)(Context&, SparseRow, Candidates*);
  };
  const Variant variants[] = {
      {"direct (before)", InPlace<0>},
      {"prefetch 8 ahead", InPlace<8>},
      {"prefetch 16 ahead (Score)", InPlace<16>},
      {"prefetch 32 ahead", InPlace<32>},
      {"bucketed by 2^16 docs", Bucketed},
      {"prefetch 16 + nth_element", InPlace<16, BestBySelect>},
  };
  Candidates got;
  for (int r = 0; r < rounds; ++r) {
    for (const Variant& v : variants) {
      size_t differ = 0;
      double seconds = 0;
      for (size_t i = 0; i < work.size(); ++i) {
        const auto start = Clock::now();
        v.run(c, RowOf(m, work[i]), &got);
        seconds += std::chrono::duration<double>(Clock::now() - start).count();
        differ += got.size() != expected[i].size() ||
                  !std::equal(got.begin(), got.end(), expected[i].begin(), [](auto a, auto b) {
                    return std::bit_cast<uint32_t>(a.first) == std::bit_cast<uint32_t>(b.first) &&
                           a.second == b.second;
                  });
      }
      std::printf("round %d  %-26s %7.1f us/query  %zu differ\n", r, v.name,
                  1e6 * seconds / static_cast<double>(work.size()), differ);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace seealso

int main(int argc, char** argv) { return seealso::Main(argc, argv); }
