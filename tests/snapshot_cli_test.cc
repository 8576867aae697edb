// `seealso index` end to end: links from the snapshot equal links from the
// corpus, and a damaged snapshot is refused with a message, exit status 2.
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/run_command.h"

namespace {

using ::testing::HasSubstr;

seealso::testing::CommandOutput Seealso(const std::string& args) {
  return seealso::testing::RunCommand(std::string(SEEALSO_BINARY) + " " + args);
}

class SnapshotCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory per test: ctest runs them in parallel.
    dir_ = std::filesystem::path(::testing::TempDir()) /
           (std::string("snapshot_cli_test.") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_EQ(Seealso("gen --out " + (dir_ / "corpus").string() + " --n 60 --seed 3").status, 0);
    corpus_ = (dir_ / "corpus").string();
    snap_ = (dir_ / "index.snap").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `links` from the snapshot at snap_ prints what `links` from the corpus does.
  void ExpectLinksFromSnapshotEqualLinksFromCorpus() const {
    const auto want = Seealso("links --corpus " + corpus_ + " 2>/dev/null");
    const auto got = Seealso("links --index " + snap_ + " 2>/dev/null");
    ASSERT_EQ(got.status, 0);
    EXPECT_GT(want.out.size(), 1000u);
    EXPECT_EQ(got.out, want.out);
  }

  std::filesystem::path dir_;
  std::string corpus_;
  std::string snap_;
};

TEST_F(SnapshotCliTest, LinksFromSnapshotEqualLinksFromCorpus) {
  const auto index = Seealso("index --corpus " + corpus_ + " --out " + snap_ + " 2>&1");
  ASSERT_EQ(index.status, 0) << index.out;
  EXPECT_THAT(index.out, HasSubstr("60 articles"));
  ExpectLinksFromSnapshotEqualLinksFromCorpus();
}

TEST_F(SnapshotCliTest, ListsAreStoredForTheDefaultRequest) {
  const auto index = Seealso("index --lists --corpus " + corpus_ + " --out " + snap_ + " 2>&1");
  ASSERT_EQ(index.status, 0) << index.out;
  EXPECT_THAT(index.out, HasSubstr("lists for k = 4"));  // server.default_k
  const auto k10 = Seealso("index --lists --k 10 --corpus " + corpus_ + " --out " + snap_ + " 2>&1");
  ASSERT_EQ(k10.status, 0) << k10.out;
  EXPECT_THAT(k10.out, HasSubstr("lists for k = 10"));
  ExpectLinksFromSnapshotEqualLinksFromCorpus();
}

TEST_F(SnapshotCliTest, DamagedSnapshotIsRefused) {
  ASSERT_EQ(Seealso("index --corpus " + corpus_ + " --out " + snap_ + " 2>&1").status, 0);
  std::filesystem::resize_file(snap_, std::filesystem::file_size(snap_) / 2);
  const auto links = Seealso("links --index " + snap_ + " 2>&1");
  EXPECT_EQ(links.status, 2);
  EXPECT_THAT(links.out, HasSubstr("seealso links: " + snap_ + ": truncated"));
  const auto both = Seealso("links --index " + snap_ + " --corpus " + corpus_ + " 2>&1");
  EXPECT_EQ(both.status, 2);
  EXPECT_THAT(both.out, HasSubstr("not both"));
}

}  // namespace
