#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "cli/commands.h"
#include "regen/regen.h"

namespace seealso::cli {

int Regen() {
  RegenOptions options;
  options.k = absl::GetFlag(FLAGS_k) == 0 ? 4 : absl::GetFlag(FLAGS_k);
  options.jobs = absl::GetFlag(FLAGS_jobs);
  const bool dry_run = absl::GetFlag(FLAGS_dry_run);
  const bool check = absl::GetFlag(FLAGS_check);
  const std::string dir = absl::GetFlag(FLAGS_corpus);
  std::string usage_error;
  if (dir.empty()) usage_error = "--corpus is required";
  if (options.k < 1) usage_error = "--k must be at least 1";
  if (options.jobs < 0) usage_error = "--jobs must not be negative";
  if (dry_run && check) usage_error = "--dry-run and --check cannot be combined";
  absl::StatusOr<LoadOptions> load = LoadOptionsFromFlags();
  if (!load.ok()) usage_error = std::string(load.status().message());
  absl::StatusOr<Config> config = ConfigFromFlags();
  if (!config.ok()) usage_error = std::string(config.status().message());
  if (!usage_error.empty()) {
    PrintError("regen", usage_error);
    return 2;
  }
  options.load = *load;
  options.embedding = config->embedding;
  options.ranking = config->ranking;
  options.mode = dry_run ? RegenMode::kDryRun : check ? RegenMode::kCheck : RegenMode::kWrite;
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  if (tty) {
    options.progress = [](int done, int total) {
      std::fprintf(stderr, "\rseealso regen: %d/%d files", done, total);
    };
  }

  absl::StatusOr<RegenSummary> result = seealso::Regen(dir, options);
  if (tty) std::fputs("\r\033[K", stderr);
  if (!result.ok()) {
    PrintError("regen", result.status().message());
    return 2;
  }
  const RegenSummary& s = *result;
  for (const std::string& e : s.errors) std::fprintf(stderr, "warning: skipped %s\n", e.c_str());
  if (dry_run) std::fwrite(s.diff.data(), 1, s.diff.size(), stdout);
  if (check) {
    for (const std::string& path : s.changed) {
      std::printf("%s: related fields are stale\n", (std::filesystem::path(dir) / path).c_str());
    }
  }
  std::fflush(stdout);
  std::fprintf(stderr,
               "seealso regen: %d files scanned, %d %s, %d unchanged, %d skipped with errors, "
               "%d duplicate links and %d self links removed\n",
               s.scanned, s.rewritten,
               dry_run ? "would be rewritten" : check ? "stale" : "rewritten", s.unchanged,
               s.skipped, s.duplicate_links_removed, s.self_links_removed);
  if (s.write_failures > 0) return 1;
  return check && s.rewritten > 0 ? 1 : 0;
}

}  // namespace seealso::cli
