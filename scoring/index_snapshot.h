// A whole RelatedIndex in one snapshot file: the model and article metadata
// (embeddings/snapshot.h) plus the search structures derived from them, so a
// server maps the file and serves without rebuilding anything.
#ifndef SEEALSO_SCORING_INDEX_SNAPSHOT_H_
#define SEEALSO_SCORING_INDEX_SNAPSHOT_H_

#include <filesystem>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "embeddings/snapshot.h"
#include "scoring/related_index.h"

namespace seealso {

// Writes `index` to `path` atomically: WriteSnapshot's sections, then the
// SimilarityIndex parts and the precomputed lists (`lists` if given, else the
// index's own, if any) as extra sections (docs/snapshot-format.md).
// FAILED_PRECONDITION for an index built for RelatedIndex::Use::kBatch;
// UNAVAILABLE if the file cannot be written.
absl::Status WriteIndexSnapshot(const std::filesystem::path& path, const RelatedIndex& index,
                                const PrecomputedLists* lists = nullptr);

// Loads an index from a snapshot by mapping it (ReadSnapshot's errors). The
// search structures are used in place when the file has them and they were
// made with this build's parameters; otherwise (a model-only snapshot) they
// are rebuilt. DATA_LOSS, naming the file, if they are present but malformed.
// `info`, if given, receives the file's SnapshotInfo.
absl::StatusOr<std::unique_ptr<const RelatedIndex>> ReadIndexSnapshot(
    const std::filesystem::path& path, SnapshotInfo* info = nullptr);

}  // namespace seealso

#endif  // SEEALSO_SCORING_INDEX_SNAPSHOT_H_
