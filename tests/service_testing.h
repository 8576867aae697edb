// Shared fixtures for the service tests: the sample corpus's index, built once.
#ifndef SEEALSO_TESTS_SERVICE_TESTING_H_
#define SEEALSO_TESTS_SERVICE_TESTING_H_

#include <memory>

#include "embeddings/corpus.h"
#include "scoring/related_index.h"
#include "service/index_holder.h"

namespace seealso::testing {

inline std::shared_ptr<const RelatedIndex> SampleIndex() {
  static const auto* const kIndex = [] {
    absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
    return new std::shared_ptr<const RelatedIndex>(RelatedIndex::Build(std::move(c->articles)));
  }();
  return *kIndex;
}

// The sample corpus without its first `drop` articles: same format, other content.
inline std::shared_ptr<const RelatedIndex> SmallerSampleIndex(int drop) {
  absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
  c->articles.erase(c->articles.begin(), c->articles.begin() + drop);
  return RelatedIndex::Build(std::move(c->articles));
}

// A holder serving the sample index (generation 1); its loader fails.
inline std::shared_ptr<IndexHolder> SampleHolder() {
  auto holder = std::make_shared<IndexHolder>(
      [](const std::string& source) -> absl::StatusOr<std::shared_ptr<const RelatedIndex>> {
        return absl::NotFoundError(source + ": no loader in this test");
      },
      "sample");
  holder->Install(SampleIndex(), "sample");
  return holder;
}

}  // namespace seealso::testing

#endif  // SEEALSO_TESTS_SERVICE_TESTING_H_
