// Exact candidate scoring, side by side in one process on the same queries:
// every posting (SimilarityIndex::ScoreExact) against banded bounds
// (SimilarityIndex::ScoreTop), alternating per query so machine load hits
// both alike. Checks that both give the same top candidates.
//
//   bench/exact_topk CORPUS_DIR [SAMPLE=2000] [WANT=15]
//
// WANT 15 is what `links` asks for a k = 10 list (k + 4 candidates, plus the
// query itself; RelatedIndex::Rank).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "embeddings/corpus.h"
#include "scoring/related_index.h"

using namespace seealso;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [SAMPLE] [WANT]\n", argv[0]);
    return 2;
  }
  const int sample = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int want = argc > 3 ? std::atoi(argv[3]) : 15;
  absl::StatusOr<Corpus> corpus = LoadCorpus(argv[1]);
  if (!corpus.ok()) {
    std::fprintf(stderr, "%s\n", std::string(corpus.status().message()).c_str());
    return 1;
  }
  const auto t0 = Clock::now();
  auto index = RelatedIndex::Build(std::move(corpus->articles));
  const auto t1 = Clock::now();
  const SparseMatrixView m = index->embeddings().matrix();
  const SimilarityIndex sim(m);
  const auto t2 = Clock::now();
  std::printf("%d articles: embed %.2f s, similarity index %.2f s\n", index->size(),
              std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());

  ScoreAccumulator acc(index->size());
  double exact_s = 0, top_s = 0;
  int mismatches = 0;
  const int n = std::min(sample, index->size());
  auto top_of = [&](std::vector<std::pair<float, int32_t>>* out) {
    out->clear();
    for (int32_t d : acc.touched()) out->emplace_back(acc.score(d), d);
    std::sort(out->begin(), out->end(), [](auto a, auto b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (out->size() > static_cast<size_t>(want)) out->resize(want);
    acc.Clear();
  };
  std::vector<std::pair<float, int32_t>> a, b;
  for (int i = 0; i < n; ++i) {
    const auto doc = static_cast<int32_t>(int64_t{i} * index->size() / n);
    const SparseRow row = RowOf(m, doc);
    auto s0 = Clock::now();
    sim.ScoreExact(row, &acc);
    auto s1 = Clock::now();
    top_of(&a);
    auto s2 = Clock::now();
    sim.ScoreTop(row, want, &acc);
    auto s3 = Clock::now();
    top_of(&b);
    exact_s += std::chrono::duration<double>(s1 - s0).count();
    top_s += std::chrono::duration<double>(s3 - s2).count();
    mismatches += a != b;
  }
  std::printf("%d queries, want %d: every posting %.3f ms/query, banded bounds %.3f ms/query "
              "(%.1fx); %d queries with different top candidates\n",
              n, want, 1e3 * exact_s / n, 1e3 * top_s / n, exact_s / top_s, mismatches);
  return mismatches == 0 ? 0 : 1;
}
