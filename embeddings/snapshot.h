// Index snapshots: a fitted TF-IDF model and its articles' metadata in one
// versioned, checksummed binary file (format: docs/snapshot-format.md), so a
// server starts from a file instead of re-reading and re-embedding a corpus.
#ifndef SEEALSO_EMBEDDINGS_SNAPSHOT_H_
#define SEEALSO_EMBEDDINGS_SNAPSHOT_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "embeddings/article_table.h"
#include "embeddings/tfidf.h"

namespace seealso {

// The format this build writes and the only one it reads.
inline constexpr uint32_t kSnapshotFormatVersion = 3;

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
  // same vectors as the model that was saved. Its arrays are the mapped
  // file's pages, not copies.
  Embeddings embeddings;
  // Row i of the matrix is articles[i]: id, path, title, subject and url
  // (no related links), borrowed from the mapped file like the model.
  ArticleTable articles;
  // Which articles mention one another's titles (their rows' numbers).
  Mentions mentions;
  SnapshotInfo info;
  // The `extra` sections given to WriteSnapshot, in order, checksums
  // verified; their bytes stay valid while `file` lives. Each starts on a
  // 64-byte boundary, so arrays in them can be used in place.
  std::vector<absl::string_view> extra;
  std::shared_ptr<const void> file;
};

// Writes `embeddings` and the metadata of `articles` (row i of the matrix is
// articles[i]) to `path`, atomically (common/atomic_file.h), followed by the
// `extra` sections (at most 32; the layers above store what they derive from
// the model, e.g. the search structures, so a load need not rebuild it), and
// the articles' title `mentions` (by row).
// INVALID_ARGUMENT if the counts differ; FAILED_PRECONDITION for a model
// without vocabulary (Embeddings::WithoutVocabulary); UNAVAILABLE if the file
// cannot be written.
absl::Status WriteSnapshot(const std::filesystem::path& path, const Embeddings& embeddings,
                           const ArticleTable& articles,
                           absl::Span<const absl::string_view> extra = {},
                           const Mentions& mentions = Mentions());

// Reads a snapshot written by WriteSnapshot, by mapping it into memory: the
// model's arrays are used in place, so loading costs the checksums and the
// structural checks, not copies. Every error names the file and
// never crashes, whatever the bytes: NOT_FOUND if it cannot be opened;
// INVALID_ARGUMENT "not a seealso snapshot" for a wrong magic number;
// FAILED_PRECONDITION for another format version or byte order; DATA_LOSS if it
// is truncated, fails a checksum, or its contents are inconsistent.
absl::StatusOr<LoadedSnapshot> ReadSnapshot(const std::filesystem::path& path);

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_SNAPSHOT_H_
