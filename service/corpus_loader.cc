#include "service/corpus_loader.h"

#include <filesystem>

#include "scoring/index_snapshot.h"

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

absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromSnapshot(const std::string& path) {
  absl::StatusOr<std::unique_ptr<const RelatedIndex>> index = ReadIndexSnapshot(path);
  if (!index.ok()) return index.status();
  return std::shared_ptr<const RelatedIndex>(*std::move(index));
}

absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromSource(
    const std::string& source, const LoadOptions& load, const EmbeddingOptions& options,
    const std::function<void(const LoadError&)>& on_skip) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(source, ec)) return LoadIndexFromSnapshot(source);
  return LoadIndexFromCorpus(source, load, options, on_skip);
}

}  // namespace seealso
