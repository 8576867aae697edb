// Times loading an index snapshot (docs/benchmarks.md, "Index snapshots"):
// the model alone (ReadSnapshot), then the whole serving index
// (ReadIndexSnapshot); and, for comparison, building the search structures
// that the snapshot stores (what a load without them would cost).
//   snapshot_load FILE [REPEATS]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "embeddings/snapshot.h"
#include "scoring/index_snapshot.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: snapshot_load FILE [REPEATS]\n");
    return 2;
  }
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    auto loaded = seealso::ReadSnapshot(argv[1]);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      return 1;
    }
    const auto read = Clock::now();
    loaded = absl::UnknownError("released");  // unmaps
    const auto index_start = Clock::now();
    auto index = seealso::ReadIndexSnapshot(argv[1]);
    if (!index.ok()) {
      std::fprintf(stderr, "%s\n", std::string(index.status().message()).c_str());
      return 1;
    }
    const auto built = Clock::now();
    const seealso::SimilarityIndex rebuilt((*index)->embeddings().matrix());
    const auto rebuild_end = Clock::now();
    std::printf("%d articles, %zu terms: model only (map, verify, articles) %.3f s; "
                "whole index %.3f s; rebuilding the search structures would take %.3f s\n",
                (*index)->size(), (*index)->embeddings().terms().size(), seconds(start, read),
                seconds(index_start, built), seconds(built, rebuild_end));
  }
  return 0;
}
