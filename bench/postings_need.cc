// How many postings the batch (`links`, regen) reads at all under the default
// RankOptions: pruned queries read only their heaviest terms' prefixes,
// exact-path queries every posting of their terms; and how many the index the
// batch now builds, SimilarityIndex::ForPruning, keeps (every term's prefix,
// all of the exact-path terms': the "every term's prefix" line), with the
// time and memory its postings take (docs/benchmarks.md, "Session 6" and
// "Session 7").
//
//   bench/postings_need SNAPSHOT_FILE
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "scoring/index_snapshot.h"
#include "scoring/related_index.h"

using namespace seealso;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SNAPSHOT_FILE\n", argv[0]);
    return 2;
  }
  auto index = ReadIndexSnapshot(argv[1]);
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", std::string(index.status().message()).c_str());
    return 1;
  }
  const RelatedIndex& idx = **index;
  const SparseMatrixView m = idx.embeddings().matrix();
  const RankOptions options;
  const Pruning& p = options.pruning;
  const int64_t prefix = std::min<int64_t>(p.postings_per_term, SimilarityIndex::kImpactPrefix);
  const int64_t* start = idx.similarity().parts().postings_start.data();
  auto df = [&](int32_t t) { return start[t + 1] - start[t]; };
  // 0: not read; 1: prefix read (pruned top terms); 2: all read (exact path).
  std::vector<uint8_t> need(static_cast<size_t>(m.cols()), 0);
  int64_t exact_queries = 0;
  for (int32_t d = 0; d < idx.size(); ++d) {
    const SparseRow row = RowOf(m, d);
    if (p.ScoresExactly(idx.similarity().Postings(row))) {
      ++exact_queries;
      for (int64_t i = 0; i < row.size; ++i) need[row.term[i]] = 2;
      continue;
    }
    std::vector<int64_t> order(static_cast<size_t>(row.size));
    std::iota(order.begin(), order.end(), 0);
    const size_t top = std::min(order.size(), static_cast<size_t>(p.query_terms));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                      [&](int64_t a, int64_t b) {
                        return row.weight[a] != row.weight[b] ? row.weight[a] > row.weight[b] : a < b;
                      });
    for (size_t j = 0; j < top; ++j) {
      uint8_t& n = need[row.term[order[j]]];
      n = std::max<uint8_t>(n, 1);
    }
  }
  int64_t total = 0, needed = 0, needed_any_prefix = 0, full_terms = 0, unread_terms = 0;
  for (int32_t t = 0; t < m.cols(); ++t) {
    total += df(t);
    needed_any_prefix += need[t] == 2 ? df(t) : std::min(df(t), prefix);
    if (need[t] == 2) {
      needed += df(t);
      ++full_terms;
    } else if (need[t] == 1) {
      needed += std::min(df(t), prefix);
    } else {
      ++unread_terms;
    }
  }
  std::printf("%d articles, %lld terms, %lld postings\n", idx.size(),
              static_cast<long long>(m.cols()), static_cast<long long>(total));
  std::printf("exact-path queries %lld (%.2f%%); terms read in full %lld, never read %lld\n",
              static_cast<long long>(exact_queries), 100.0 * exact_queries / idx.size(),
              static_cast<long long>(full_terms), static_cast<long long>(unread_terms));
  std::printf("postings read: every term's prefix + exact terms' all: %lld (%.1f%%)\n",
              static_cast<long long>(needed_any_prefix), 100.0 * needed_any_prefix / total);
  std::printf("postings read: only what is read: %lld (%.1f%%)\n", static_cast<long long>(needed),
              100.0 * needed / total);
  const auto began = std::chrono::steady_clock::now();
  const SimilarityIndex cut = SimilarityIndex::ForPruning(m, p);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const auto kept = static_cast<long long>(cut.parts().postings_doc.size());
  std::printf("ForPruning keeps %lld postings (%.1f%%, %.0f MiB of doc + weight; full %.0f MiB), "
              "built in %.2f s\n",
              kept, 100.0 * static_cast<double>(kept) / static_cast<double>(total),
              8.0 * static_cast<double>(kept) / (1 << 20),
              8.0 * static_cast<double>(total) / (1 << 20), seconds);
  return kept == needed_any_prefix ? 0 : 1;
}
