// The swappable serving snapshot: versions, checksums, failed reloads.
#include "service/index_holder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service_testing.h"

namespace seealso {
namespace {

using ::testing::HasSubstr;
using testing::SampleIndex;
using testing::SmallerSampleIndex;

TEST(IndexChecksumTest, DependsOnContentOnly) {
  const std::string a = IndexChecksum(*SampleIndex());
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  // A second build of the same corpus: same checksum; other content: another.
  EXPECT_EQ(IndexChecksum(*SmallerSampleIndex(0)), a);
  EXPECT_NE(IndexChecksum(*SmallerSampleIndex(1)), a);
}

TEST(IndexHolderTest, EmptyUntilLoadedThenGenerationsCount) {
  std::vector<std::string> asked;
  IndexHolder holder(
      [&](const std::string& source) -> absl::StatusOr<std::shared_ptr<const RelatedIndex>> {
        asked.push_back(source);
        return SampleIndex();
      },
      "default-dir");
  EXPECT_EQ(holder.Current(), nullptr);
  auto first = holder.Reload();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->version.generation, 1u);
  EXPECT_EQ((*first)->source, "default-dir");
  EXPECT_EQ((*first)->version.checksum, IndexChecksum(*SampleIndex()));
  auto second = holder.Reload("other-dir");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->version.generation, 2u);
  EXPECT_EQ(holder.Current(), *second);
  EXPECT_EQ(asked, (std::vector<std::string>{"default-dir", "other-dir"}));
}

TEST(IndexHolderTest, FailedReloadKeepsTheServingSnapshot) {
  bool fail = false;
  IndexHolder holder(
      [&](const std::string&) -> absl::StatusOr<std::shared_ptr<const RelatedIndex>> {
        if (fail) return absl::InvalidArgumentError("a.md:3: malformed YAML");
        return SampleIndex();
      },
      "dir");
  ASSERT_TRUE(holder.Reload().ok());
  const std::shared_ptr<const Snapshot> before = holder.Current();
  fail = true;
  const auto failed = holder.Reload();
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("reload from dir: a.md:3"));
  EXPECT_EQ(holder.Current(), before);
  fail = false;
  // Failures do not use up a generation.
  EXPECT_EQ((*holder.Reload())->version.generation, 2u);
}

TEST(IndexHolderTest, NoSourceIsInvalidArgument) {
  IndexHolder holder([](const std::string&) { return SampleIndex(); }, "");
  EXPECT_EQ(holder.Reload().status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(IndexHolderTest, UrlsMapToTheirArticle) {
  IndexHolder holder([](const std::string&) { return SampleIndex(); }, "");
  const auto snap = holder.Install(SampleIndex(), "x");
  const auto it =
      snap->doc_of_url.find(CanonicalUrl("/learn/computer-science/questions/how-do-hash-tables-handle-collisions"));
  ASSERT_NE(it, snap->doc_of_url.end());
  EXPECT_EQ(snap->index->article(it->second).id, 171830);
}

}  // namespace
}  // namespace seealso
