// Times loading an index snapshot (docs/benchmarks.md, "Index snapshots"):
// reading and verifying the file, then building the RelatedIndex on it.
//   snapshot_load FILE [REPEATS]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "embeddings/snapshot.h"
#include "scoring/related_index.h"

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
    const size_t terms = loaded->embeddings.terms().size();
    auto index = seealso::RelatedIndex::FromEmbeddings(std::move(loaded->articles),
                                                       std::move(loaded->embeddings));
    if (!index.ok()) return 1;
    const auto built = Clock::now();
    std::printf("%d articles, %zu terms: read+verify %.3f s, index %.3f s, total %.3f s\n",
                (*index)->size(), terms, seconds(start, read), seconds(read, built),
                seconds(start, built));
  }
  return 0;
}
