#include <chrono>
#include <cstdio>
#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "gen/generator.h"

ABSL_FLAG(int64_t, n, 1000, "gen: number of articles");
ABSL_FLAG(uint64_t, seed, 1, "gen: random seed (same seed and n, same bytes)");

namespace seealso::cli {

int Gen() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    PrintError("gen", "--out DIR is required");
    return 2;
  }
  GeneratorOptions options;
  options.n = absl::GetFlag(FLAGS_n);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.threads = absl::GetFlag(FLAGS_threads);
  if (options.n < 1) {
    PrintError("gen", "--n must be at least 1");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const bool tty = isatty(STDERR_FILENO) != 0;
  CorpusGenerator generator(options);
  const absl::Status s = generator.Write(out, [&](int64_t done) {
    if (tty) std::fprintf(stderr, "\rseealso gen: %lld / %lld articles", static_cast<long long>(done),
                          static_cast<long long>(options.n));
  });
  if (tty) std::fputc('\n', stderr);
  if (!s.ok()) {
    PrintError("gen", s.message());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "seealso gen: wrote %lld articles in %d topics to %s in %.1f s (%.0f articles/s)\n",
               static_cast<long long>(options.n), generator.topics(), out.c_str(), secs,
               static_cast<double>(options.n) / secs);
  return 0;
}

}  // namespace seealso::cli
