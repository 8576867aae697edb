// Loaders of an index: from a directory of article files or a snapshot file.
#ifndef SEEALSO_SERVICE_CORPUS_LOADER_H_
#define SEEALSO_SERVICE_CORPUS_LOADER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "embeddings/corpus.h"
#include "scoring/related_index.h"

namespace seealso {

// Loads every article under `dir` and builds its index. Each skipped file is
// passed to `on_skip` (if set); fails if the directory cannot be loaded or
// holds no article.
absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromCorpus(
    const std::string& dir, const LoadOptions& load = {}, const EmbeddingOptions& options = {},
    const std::function<void(const LoadError&)>& on_skip = nullptr);

// Reads a snapshot written by `seealso index` (embeddings/snapshot.h) and
// builds its index without re-embedding. A damaged file fails (DATA_LOSS or
// INVALID_ARGUMENT) with a message naming it.
absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromSnapshot(const std::string& path);

// The IndexLoader for a reload source: a snapshot if `source` is a regular
// file, else a corpus directory (LoadIndexFromCorpus).
absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromSource(
    const std::string& source, const LoadOptions& load = {}, const EmbeddingOptions& options = {},
    const std::function<void(const LoadError&)>& on_skip = nullptr);

}  // namespace seealso

#endif  // SEEALSO_SERVICE_CORPUS_LOADER_H_
