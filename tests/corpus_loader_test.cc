// The server's index loaders: a reload source may be a corpus directory or a
// snapshot file, and both give the same ranking.
#include "service/corpus_loader.h"

#include <filesystem>
#include <unistd.h>

#include "embeddings/corpus.h"
#include "embeddings/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(CorpusLoaderTest, DirectoryAndSnapshotSourcesRankAlike) {
  const std::string dir = SEEALSO_SOURCE_DIR "/data/sample";
  auto from_dir = LoadIndexFromSource(dir);
  ASSERT_TRUE(from_dir.ok()) << from_dir.status();

  const fs::path snapshot =
      fs::temp_directory_path() / ("seealso_loader_" + std::to_string(::getpid()) + ".idx");
  absl::StatusOr<Corpus> corpus = LoadCorpus(dir);
  ASSERT_TRUE(corpus.ok());
  ASSERT_TRUE(WriteSnapshot(snapshot, (*from_dir)->embeddings(), ArticleTable::Of(corpus->articles)).ok());
  auto from_file = LoadIndexFromSource(snapshot.string());
  ASSERT_TRUE(from_file.ok()) << from_file.status();

  ASSERT_EQ((*from_file)->size(), (*from_dir)->size());
  for (int32_t d = 0; d < (*from_dir)->size(); ++d) {
    const auto a = (*from_dir)->TopK(d, RankOptions{.k = 5});
    const auto b = (*from_file)->TopK(d, RankOptions{.k = 5});
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ((*from_dir)->article(a[i].doc).id, (*from_file)->article(b[i].doc).id);
      EXPECT_EQ(a[i].score, b[i].score);
    }
  }

  // A damaged snapshot is refused, naming the file.
  fs::resize_file(snapshot, fs::file_size(snapshot) / 2);
  auto damaged = LoadIndexFromSource(snapshot.string());
  ASSERT_FALSE(damaged.ok());
  EXPECT_THAT(std::string(damaged.status().message()), HasSubstr(snapshot.string()));
  fs::remove(snapshot);
}

TEST(CorpusLoaderTest, MissingSourceIsAnError) {
  EXPECT_FALSE(LoadIndexFromSource("/nonexistent/seealso").ok());
}

}  // namespace
}  // namespace seealso
