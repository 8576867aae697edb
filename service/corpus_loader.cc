#include "service/corpus_loader.h"

namespace seealso {

absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromCorpus(
    const std::string& dir, const LoadOptions& load, const EmbeddingOptions& options,
    const std::function<void(const LoadError&)>& on_skip) {
  absl::StatusOr<Corpus> corpus = LoadCorpus(dir, load);
  if (!corpus.ok()) return corpus.status();
  if (on_skip) {
    for (const LoadError& e : corpus->skipped) on_skip(e);
  }
  if (corpus->articles.empty()) return absl::InvalidArgumentError(dir + ": no articles found");
  return std::shared_ptr<const RelatedIndex>(
      RelatedIndex::Build(std::move(corpus->articles), options));
}

}  // namespace seealso
