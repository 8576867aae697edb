// Loading a directory of article files.
#ifndef SEEALSO_EMBEDDINGS_CORPUS_H_
#define SEEALSO_EMBEDDINGS_CORPUS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "embeddings/article.h"

namespace seealso {

// Reading a corpus of small files from a cold page cache waits on the disk,
// one request per reading thread: 16 readers loaded 300,000 files in 38-40 s
// where 2 took 61-78 s (docs/benchmarks.md, "Corpus loading"). With the files
// cached, the extra threads only share the cores.
inline constexpr int kDefaultLoadThreads = 16;

struct LoadOptions {
  // Files larger than this are skipped with an error.
  std::uintmax_t max_file_bytes = 1 << 20;
  // Threads reading files (0 = kDefaultLoadThreads, or twice the hardware
  // threads if more). The result does not depend on it.
  int threads = 0;
  // Threads parsing what the readers read, at most `threads` (0 = one per
  // core, but one if the process keeps one malloc arena, common/memory.h).
  // Parsing allocates (libyaml's buffers and events, the article's
  // strings): with one arena, two parsers waited on its lock so much that
  // one alone loaded a cold 100,000-file corpus in 2.8-3.0 s against
  // 3.9-4.0 s (docs/benchmarks.md, "Corpus loading"). The result does not
  // depend on it.
  int parse_threads = 0;
  // If set, called now and then (from one thread) with files loaded so far
  // and the total, and once at the end.
  std::function<void(size_t done, size_t total)> progress = nullptr;
  // If set, called once with the number of files found, before any file is
  // read and before LoadCorpus starts a thread: the moment to set a
  // process-wide policy that depends on the corpus's size (the batch
  // commands' malloc arenas, cli/main.cc).
  std::function<void(size_t files)> listed = nullptr;
};

// A file that was skipped, and why. `message` is "path:line: reason".
struct LoadError {
  std::string path;
  std::string message;
};

struct Corpus {
  // Sorted by id; ids are unique.
  std::vector<Article> articles;
  // Files that could not be loaded; they do not stop the others.
  std::vector<LoadError> skipped;
};

// Loads every `*.md` file under `dir`, recursively, in a deterministic order.
// A bad file is reported in Corpus::skipped and left out. Fails if `dir` is not
// a readable directory, or (INVALID_ARGUMENT, naming both files) if two files
// carry the same id.
absl::StatusOr<Corpus> LoadCorpus(const std::filesystem::path& dir,
                                  const LoadOptions& options = {});

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_CORPUS_H_
