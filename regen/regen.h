// Batch regeneration: rewrite the related blocks of every article in a corpus.
#ifndef SEEALSO_REGEN_REGEN_H_
#define SEEALSO_REGEN_REGEN_H_

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "embeddings/corpus.h"
#include "embeddings/tfidf.h"
#include "scoring/rank_options.h"

namespace seealso {

enum class RegenMode {
  kWrite,   // rewrite stale files in place, atomically
  kDryRun,  // write nothing; RegenSummary::diff shows what would change
  kCheck,   // write nothing; RegenSummary::changed lists the stale files
};

struct RegenOptions {
  // Related articles per file: the deduplicated top-k of RelatedIndex.
  int k = 4;
  // How articles are embedded and ranked (ranking.k is replaced by k), so
  // regen writes what the server, configured alike, returns.
  EmbeddingOptions embedding;
  RankOptions ranking;
  RegenMode mode = RegenMode::kWrite;
  // Worker threads for ranking and rewriting (0 = hardware concurrency).
  int jobs = 0;
  LoadOptions load;
  // If set, called after each article is handled (from worker threads, one
  // call at a time) with the number handled so far and the total.
  std::function<void(int done, int total)> progress;
};

struct RegenSummary {
  // Article files found: loaded plus skipped at load.
  int scanned = 0;
  // Files whose related blocks changed (kWrite), or would change.
  int rewritten = 0;
  int unchanged = 0;
  // Files left alone because of an error, each with a line in `errors`.
  int skipped = 0;
  // Of those, files that could not be written (an I/O failure, not bad input).
  int write_failures = 0;
  // Links in the rewritten files' old blocks that repeated an id listed
  // earlier in the same file, or that pointed to the article itself.
  int duplicate_links_removed = 0;
  int self_links_removed = 0;
  // "path:line: reason", sorted by path.
  std::vector<std::string> errors;
  // Paths (relative to the corpus directory) of the files counted in `rewritten`, sorted.
  std::vector<std::string> changed;
  // kDryRun only: the unified diff of every change, files in path order.
  std::string diff;
};

// Loads `dir` (see LoadCorpus), ranks every article with RelatedIndex, and
// gives each file its new related blocks (RewriteRelatedBlocks). A bad file is
// reported and skipped and never written; a file that is a symlink leading
// outside `dir` is never written. Each write is atomic and keeps the file mode;
// a symlink inside `dir` is written through, so it stays a link.
// Fails, writing nothing, if `dir` cannot be read or two files share an id.
absl::StatusOr<RegenSummary> Regen(const std::filesystem::path& dir, const RegenOptions& options);

}  // namespace seealso

#endif  // SEEALSO_REGEN_REGEN_H_
