// What the kernel benchmarks on a snapshot share (bench/rescore_kernels,
// bench/candidate_kernels): their arguments and the timed snapshot load.
#ifndef SEEALSO_BENCH_KERNEL_BENCH_H_
#define SEEALSO_BENCH_KERNEL_BENCH_H_

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "scoring/index_snapshot.h"
#include "scoring/related_index.h"

namespace seealso {

// NAME SNAPSHOT [QUERIES=2000] [ROUNDS=3] [FIRST_DOC=0]
struct KernelBenchArgs {
  const char* snapshot = nullptr;
  int queries = 2000;
  int rounds = 3;
  int first = 0;
};

// The arguments, or nullopt after printing the usage line for `name`.
inline std::optional<KernelBenchArgs> ParseKernelBenchArgs(const char* name, int argc,
                                                           char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SNAPSHOT [QUERIES] [ROUNDS] [FIRST_DOC]\n", name);
    return std::nullopt;
  }
  KernelBenchArgs args;
  args.snapshot = argv[1];
  if (argc > 2) args.queries = std::atoi(argv[2]);
  if (argc > 3) args.rounds = std::atoi(argv[3]);
  if (argc > 4) args.first = std::atoi(argv[4]);
  return args;
}

// The snapshot, after printing its size and load time; nullptr after
// printing why it could not be read.
inline std::unique_ptr<const RelatedIndex> LoadKernelBenchSnapshot(const char* path) {
  const auto start = std::chrono::steady_clock::now();
  auto loaded = ReadIndexSnapshot(path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
    return nullptr;
  }
  const RelatedIndex& index = **loaded;
  std::printf("loaded %d articles, %ld terms in %.1f s\n", index.size(),
              static_cast<long>(index.embeddings().matrix().cols()),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return *std::move(loaded);
}

}  // namespace seealso

#endif  // SEEALSO_BENCH_KERNEL_BENCH_H_
