// Reading links, qrels and duplicate groups, and the errors for bad lines.
#include "eval/judgments.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso::eval {
namespace {

using ::testing::HasSubstr;

TEST(ParseLinksTest, OrdersEachListByRank) {
  auto r = ParseLinks("5\t2\t7\t0.25\n5\t1\t9\t0.5\r\n\n3\t1\t5\t1e-3\n", "l.tsv");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  ASSERT_EQ(r->at(5).size(), 2u);
  EXPECT_EQ(r->at(5)[0].id, 9);
  EXPECT_EQ(r->at(5)[0].score, 0.5);
  EXPECT_EQ(r->at(5)[1].id, 7);
  EXPECT_EQ(r->at(3)[0].score, 0.001);
}

TEST(ParseLinksTest, BadLinesNamePathAndLine) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"1\t1\t2\n", "l.tsv:1: expected 4 tab-separated fields"},
      {"1\t1\t2\t0.1\nx\t1\t2\t0.1\n", "l.tsv:2: article_id is not an integer"},
      {"1\t0\t2\t0.1\n", "l.tsv:1: rank is not an integer >= 1"},
      {"1\t1\tq\t0.1\n", "l.tsv:1: related_id is not an integer"},
      {"1\t1\t2\thigh\n", "l.tsv:1: score is not a number"},
      {"1\t1\t2\tnan\n", "l.tsv:1: score is not a number"},
      {"1\t1\t2\t0.1\n\n1\t1\t3\t0.2\n", "l.tsv:3: rank 1 of article 1 already given on line 1"},
  };
  for (const Case& c : cases) {
    auto r = ParseLinks(c.text, "l.tsv");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.message));
  }
}

TEST(ParseQrelsTest, GradesPerArticle) {
  auto q = ParseQrels("1\t2\t1\n1\t3\t2\n4\t1\t0\n", "q.tsv");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, (Qrels{{1, {{2, 1}, {3, 2}}}, {4, {{1, 0}}}}));
}

TEST(ParseQrelsTest, BadLinesNamePathAndLine) {
  EXPECT_THAT(std::string(ParseQrels("1\t2\n", "q.tsv").status().message()),
              HasSubstr("q.tsv:1: expected 3 tab-separated fields"));
  EXPECT_EQ(ParseQrels("1\t2\t-1\n", "q.tsv").status().message(),
            "q.tsv:1: grade is not an integer >= 0");
  EXPECT_EQ(ParseQrels("1\t2\t1.5\n", "q.tsv").status().message(),
            "q.tsv:1: grade is not an integer >= 0");
  EXPECT_EQ(ParseQrels("1\t2\t1\n1\t2\t2\n", "q.tsv").status().message(),
            "q.tsv:2: pair 1 -> 2 already judged on line 1");
}

TEST(ParseDupGroupsTest, GroupsOfTwoOrMore) {
  auto d = ParseDupGroups("1\t463\n5\t6\t7\n", "d.tsv");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, (DupGroups{{1, 463}, {5, 6, 7}}));
  EXPECT_EQ(ParseDupGroups("1\n", "d.tsv").status().message(),
            "d.tsv:1: expected two or more tab-separated ids");
  EXPECT_EQ(ParseDupGroups("1\t1\n", "d.tsv").status().message(), "d.tsv:1: id 1 appears twice");
  EXPECT_EQ(ParseDupGroups("1\tz\n", "d.tsv").status().message(),
            "d.tsv:1: 'z' is not an integer id");
}

TEST(ReadTest, MissingFileNamesThePath) {
  auto r = ReadQrels("/nonexistent/qrels.tsv");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("/nonexistent/qrels.tsv"));
}

TEST(ReadTest, DevCorpusJudgmentsParse) {
  const std::filesystem::path dir =
      std::filesystem::path(SEEALSO_SOURCE_DIR) / "../shared/corpora/cstheory-meta";
  if (!std::filesystem::exists(dir / "qrels.tsv")) GTEST_SKIP() << "no dev corpus";
  auto q = ReadQrels(dir / "qrels.tsv");
  ASSERT_TRUE(q.ok()) << q.status();
  int judged = 0;
  for (const auto& [id, j] : *q) judged += !j.empty();
  EXPECT_EQ(judged, 320);
  auto d = ReadDupGroups(dir / "dups.tsv");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->size(), 13u);
}

}  // namespace
}  // namespace seealso::eval
