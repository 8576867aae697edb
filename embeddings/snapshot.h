// Index snapshots: a fitted TF-IDF model and its articles' metadata in one
// versioned, checksummed binary file (format: docs/snapshot-format.md), so a
// server starts from a file instead of re-reading and re-embedding a corpus.
#ifndef SEEALSO_EMBEDDINGS_SNAPSHOT_H_
#define SEEALSO_EMBEDDINGS_SNAPSHOT_H_

#include <cstdint>
#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "embeddings/article.h"
#include "embeddings/tfidf.h"

namespace seealso {

// The format this build writes and the only one it reads.
inline constexpr uint32_t kSnapshotFormatVersion = 1;

struct SnapshotInfo {
  uint32_t format_version = 0;
  // Identifies the snapshot's contents (XXH64 over its section table, which
  // holds the XXH64 of every section): equal checksums, equal snapshots.
  uint64_t checksum = 0;
  // When WriteSnapshot ran, in seconds since the Unix epoch.
  int64_t build_time_unix = 0;
  uint64_t file_bytes = 0;
};

struct LoadedSnapshot {
  // Options, vocabulary, idf and matrix exactly as written: Embed() gives the
  // same vectors as the model that was saved.
  Embeddings embeddings;
  // Row i of the matrix is articles[i]. Only id, path, title, subject and url
  // are stored; the other fields are empty.
  std::vector<Article> articles;
  SnapshotInfo info;
};

// Writes `embeddings` and the metadata of `articles` (row i of the matrix is
// articles[i]) to `path`, atomically (common/atomic_file.h). INVALID_ARGUMENT
// if the counts differ; UNAVAILABLE if the file cannot be written.
absl::Status WriteSnapshot(const std::filesystem::path& path, const Embeddings& embeddings,
                           const std::vector<Article>& articles);

// Reads a snapshot written by WriteSnapshot. Every error names the file and
// never crashes, whatever the bytes: NOT_FOUND if it cannot be opened;
// INVALID_ARGUMENT "not a seealso snapshot" for a wrong magic number;
// FAILED_PRECONDITION for another format version or byte order; DATA_LOSS if it
// is truncated, fails a checksum, or its contents are inconsistent.
absl::StatusOr<LoadedSnapshot> ReadSnapshot(const std::filesystem::path& path);

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_SNAPSHOT_H_
