// The IndexLoader for a directory of article files.
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

}  // namespace seealso

#endif  // SEEALSO_SERVICE_CORPUS_LOADER_H_
