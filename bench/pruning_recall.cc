// Recall@k of pruned candidate generation against exact ranking, and the
// time of both, on a fixed sample of articles of a corpus.
//
//   bench/pruning_recall CORPUS_DIR|INDEX.snap [SAMPLE=1000] [K=10] [TERMS:POSTINGS:RESCORE ...]
//
// Prints one row per setting: recall@k (share of exact top-k ids found),
// mean ms per query, and the speed-up over exact.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "embeddings/corpus.h"
#include "scoring/index_snapshot.h"
#include "scoring/related_index.h"

using namespace seealso;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [SAMPLE] [K] [TERMS:POSTINGS:RESCORE ...]\n", argv[0]);
    return 2;
  }
  const int sample = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int k = argc > 3 ? std::atoi(argv[3]) : 10;
  std::vector<Pruning> settings;
  for (int i = 4; i < argc; ++i) {
    std::vector<std::string> parts = absl::StrSplit(argv[i], ':');
    Pruning p;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &p.query_terms) ||
        !absl::SimpleAtoi(parts[1], &p.postings_per_term) || !absl::SimpleAtoi(parts[2], &p.rescore)) {
      std::fprintf(stderr, "bad setting '%s': want TERMS:POSTINGS:RESCORE\n", argv[i]);
      return 2;
    }
    settings.push_back(p);
  }
  // A snapshot (FILE.snap) is mapped, so a 1M corpus is measured without a rebuild.
  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<const RelatedIndex> index;
  std::chrono::steady_clock::time_point t1;
  if (absl::EndsWith(argv[1], ".snap")) {
    auto loaded = ReadIndexSnapshot(argv[1]);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      return 1;
    }
    t1 = std::chrono::steady_clock::now();
    index = *std::move(loaded);
  } else {
    absl::StatusOr<Corpus> corpus = LoadCorpus(argv[1]);
    if (!corpus.ok()) {
      std::fprintf(stderr, "%s\n", std::string(corpus.status().message()).c_str());
      return 1;
    }
    t1 = std::chrono::steady_clock::now();
    index = RelatedIndex::Build(std::move(corpus->articles));
  }
  auto t2 = std::chrono::steady_clock::now();
  std::printf("corpus %s: %d articles, %zu terms, %lld nonzeros; load %.1f s, index %.1f s\n",
              argv[1], index->size(), index->embeddings().terms().size(),
              static_cast<long long>(index->embeddings().matrix().nonZeros()),
              std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());

  // A fixed, evenly spread sample of documents.
  std::vector<int32_t> docs;
  const int n = std::min(sample, index->size());
  for (int i = 0; i < n; ++i) docs.push_back(static_cast<int32_t>(int64_t{i} * index->size() / n));

  auto run = [&](const RankOptions& o, std::vector<std::vector<int32_t>>* out) {
    auto start = std::chrono::steady_clock::now();
    for (int32_t d : docs) {
      std::vector<int32_t> ids;
      for (const Related& r : index->TopK(d, o)) ids.push_back(r.doc);
      out->push_back(std::move(ids));
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
               .count() / static_cast<double>(docs.size());
  };
  // The truth is exact ranking: RankOptions' default prunes large corpora.
  RankOptions exact;
  exact.k = k;
  exact.pruning = Pruning{};
  std::vector<std::vector<int32_t>> truth;
  const double exact_ms = run(exact, &truth);
  std::printf("%-24s recall@%d %.4f  %.3f ms/query\n", "exact", k, 1.0, exact_ms);
  for (const Pruning& p : settings) {
    RankOptions o = exact;
    o.pruning = p;
    std::vector<std::vector<int32_t>> got;
    const double ms = run(o, &got);
    int64_t found = 0, total = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
      absl::flat_hash_set<int32_t> g(got[i].begin(), got[i].end());
      for (int32_t d : truth[i]) found += g.contains(d);
      total += static_cast<int64_t>(truth[i].size());
    }
    char name[64];
    std::snprintf(name, sizeof(name), "%d:%d:%d", p.query_terms, p.postings_per_term, p.rescore);
    std::printf("%-24s recall@%d %.4f  %.3f ms/query  x%.1f\n", name, k,
                total ? static_cast<double>(found) / static_cast<double>(total) : 1.0, ms,
                exact_ms / ms);
  }
  return 0;
}
