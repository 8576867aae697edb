// Rewriting related blocks: golden files for every preservation case (the
// expected bytes are checked in under tests/data/regen/), idempotence, YAML
// quoting, and refusal of what cannot be rewritten safely.
#include "regen/related_blocks.h"

#include <cstdlib>
#include <filesystem>

#include "embeddings/front_matter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/regen_test_util.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing_util::NonRelatedChanges;
using testing_util::ReadBytes;
using testing_util::WriteBytes;

const fs::path kDataDir = fs::path(SEEALSO_SOURCE_DIR) / "tests/data/regen";

// The links every golden case is given; the second title needs YAML care.
std::vector<RelatedLink> GoldenLinks() {
  return {
      {101, "What is a hash table?", "Computer Science",
       "/learn/computer-science/questions/what-is-a-hash-table"},
      {102, "Why: a title with a colon", "History", "/learn/history/questions/why"},
      {103, "Plain title", "Economics", "/learn/economics/questions/plain"},
      {104, "Café crème", "Biology", "/learn/biology/questions/cafe-creme"},
  };
}

struct GoldenCase {
  const char* name;  // tests/data/regen/<name>.md -> <name>.expected.md
  size_t links;      // how many of GoldenLinks() the file gets
};

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, MatchesExpectedBytesAndIsIdempotent) {
  const fs::path input = kDataDir / (std::string(GetParam().name) + ".md");
  const fs::path expected_path = kDataDir / (std::string(GetParam().name) + ".expected.md");
  std::vector<RelatedLink> links = GoldenLinks();
  links.resize(GetParam().links);
  const std::string before = ReadBytes(input);
  ASSERT_FALSE(before.empty()) << input;

  absl::StatusOr<std::string> after = RewriteRelatedBlocks(before, links, input.string());
  ASSERT_TRUE(after.ok()) << after.status();
  // SEEALSO_UPDATE_GOLDEN=1 rewrites the expected files; review their diff before committing.
  if (std::getenv("SEEALSO_UPDATE_GOLDEN") != nullptr) WriteBytes(expected_path, *after);
  EXPECT_EQ(*after, ReadBytes(expected_path)) << "differs from " << expected_path;
  EXPECT_EQ(NonRelatedChanges(before, *after), "");

  absl::StatusOr<Article> parsed = ParseArticle(*after, "out.md");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->related, links);

  absl::StatusOr<std::string> again = RewriteRelatedBlocks(*after, links, input.string());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *after);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GoldenTest,
    ::testing::Values(GoldenCase{"seed", 4},               // the real example article
                      GoldenCase{"crlf", 4},               // CRLF line endings kept
                      GoldenCase{"crlf_no_blocks", 4},     // new blocks use CRLF too
                      GoldenCase{"bom", 4},                // UTF-8 BOM kept
                      GoldenCase{"no_final_newline", 4},   // ends right after `---`
                      GoldenCase{"no_blocks_score", 4},    // inserted after `score`
                      GoldenCase{"no_blocks_no_score", 4}, // inserted before closing `---`
                      GoldenCase{"stale_block5", 4},       // related_article5 removed
                      GoldenCase{"fewer_links", 2},        // blocks 3 and 4 removed
                      GoldenCase{"body", 4},               // blank lines, body look-alikes
                      GoldenCase{"indent2", 4},            // 2-space blocks stay 2-space
                      GoldenCase{"plain_titles", 4},       // unfolded titles stay unfolded
                      GoldenCase{"scattered", 4}),         // blocks among other keys
    [](const auto& info) { return std::string(info.param.name); });

std::string Rewrite(const std::string& text, const std::vector<RelatedLink>& links) {
  absl::StatusOr<std::string> out = RewriteRelatedBlocks(text, links, "x.md");
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

TEST(RelatedBlocksTest, QuotesScalarsThatPlainYamlWouldMisread) {
  const std::vector<RelatedLink> links = {
      {1, "  padded title", "yes", "/a #fragment"},
      {2, "", "Computer Science: Theory", "123"},
      {3, "say \"hi\"\\now", "~", "null"},
  };
  const std::string out = Rewrite("---\nid: 9\n---\n", links);
  EXPECT_THAT(out, HasSubstr("    title: \"  padded title\"\n"));
  EXPECT_THAT(out, HasSubstr("    subject: \"yes\"\n"));
  EXPECT_THAT(out, HasSubstr("    url: \"/a #fragment\"\n"));
  EXPECT_THAT(out, HasSubstr("    title: \"\"\n"));
  EXPECT_THAT(out, HasSubstr("    subject: \"Computer Science: Theory\"\n"));
  EXPECT_THAT(out, HasSubstr("    url: \"123\"\n"));
  EXPECT_THAT(out, HasSubstr("    title: >-\n        say \"hi\"\\now\n"));
  EXPECT_THAT(out, HasSubstr("    subject: \"~\"\n"));
  EXPECT_THAT(out, HasSubstr("    url: \"null\"\n"));
  absl::StatusOr<Article> a = ParseArticle(out, "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->related, links);
}

TEST(RelatedBlocksTest, TitleWithLineBreakIsDoubleQuoted) {
  const std::vector<RelatedLink> links = {{1, "two\nlines\ttab", "S", "/u"}};
  EXPECT_THAT(Rewrite("---\nid: 9\n---\n", links),
              HasSubstr("    title: \"two\\nlines\\ttab\"\n"));
}

TEST(RelatedBlocksTest, NoLinksRemovesEveryBlock) {
  EXPECT_EQ(Rewrite("---\nid: 9\nrelated_article1:\n    id: 2\nscore: 1\n---\nbody", {}),
            "---\nid: 9\nscore: 1\n---\nbody");
}

TEST(RelatedBlocksTest, InvalidArticleIsRejectedWithFileAndLine) {
  absl::StatusOr<std::string> out = RewriteRelatedBlocks("# no front matter\n", {}, "d/x.md");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(std::string(out.status().message()), StartsWith("d/x.md:1: no front matter"));
}

TEST(RelatedBlocksTest, RefusesWhenResultWouldNotReadBack) {
  // A quoted key is a block to the YAML parser but not a plain key line to
  // the line editor: the result would keep the old link, so it is refused.
  absl::StatusOr<std::string> out = RewriteRelatedBlocks(
      "---\nid: 9\n\"related_article1\":\n    id: 2\n---\n", {{3, "T", "S", "/u"}}, "x.md");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("file left unchanged"));
}

}  // namespace
}  // namespace seealso
