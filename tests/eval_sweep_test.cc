// Sweep grids: parsing KEY=V1,V2, the order of combinations, best-first sorting
// and the table.
#include "eval/sweep.h"

#include "eval/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso::eval {
namespace {

using ::testing::HasSubstr;

TEST(SweepTest, ParsesAxis) {
  auto axis = ParseSweepAxis("fields.title=1,3,5");
  ASSERT_TRUE(axis.ok()) << axis.status();
  EXPECT_EQ(axis->key, "fields.title");
  EXPECT_EQ(axis->values, (std::vector<std::string>{"1", "3", "5"}));
  // Only the first '=' separates the key.
  EXPECT_EQ(ParseSweepAxis("a=b=c")->values, (std::vector<std::string>{"b=c"}));
  for (const char* bad : {"fields.title", "=1,2", "k=", "k=1,,2", "k=1,"}) {
    EXPECT_EQ(ParseSweepAxis(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SweepTest, GridVariesTheLastAxisFastest) {
  auto grid = SweepGrid({{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}});
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->size(), 6u);
  EXPECT_EQ((*grid)[0], (SweepPoint{{"a", "1"}, {"b", "x"}}));
  EXPECT_EQ((*grid)[1], (SweepPoint{{"a", "1"}, {"b", "y"}}));
  EXPECT_EQ((*grid)[5], (SweepPoint{{"a", "2"}, {"b", "z"}}));
  EXPECT_EQ(SweepGrid({})->size(), 1u);
  EXPECT_EQ(SweepGrid({{"a", {"1"}}, {"a", {"2"}}}).status().message(),
            "--sweep: key 'a' given twice");
}

SweepResult Result(std::string value, double ndcg, double mrr) {
  SweepResult r;
  r.point = {{"fields.title", std::move(value)}};
  r.report.k = 10;
  r.report.relevance = RelevanceMetrics{.articles = 2, .ndcg = ndcg, .mrr = mrr};
  return r;
}

TEST(SweepTest, BestFirstByNdcgThenMrrThenGridOrder) {
  std::vector<SweepResult> results = {Result("1", 0.30, 0.5), Result("2", 0.40, 0.1),
                                      Result("3", 0.30, 0.6), Result("4", 0.30, 0.5)};
  SortBestFirst(&results);
  std::vector<std::string> order;
  for (const SweepResult& r : results) order.push_back(r.point[0].second);
  EXPECT_EQ(order, (std::vector<std::string>{"2", "3", "1", "4"}));
}

TEST(SweepTest, TableAndJson) {
  const std::vector<SweepResult> results = {Result("3", 0.4, 0.5), Result("1", 0.25, 1)};
  EXPECT_EQ(FormatSweepTable(results),
            "fields.title  nDCG@10    P@10    R@10  MRR@10  MAP@10  lists with a dup pair\n"
            "           3   0.4000  0.0000  0.0000  0.5000  0.0000                      0\n"
            "           1   0.2500  0.0000  0.0000  1.0000  0.0000                      0\n");
  const std::string json = FormatSweepJson(results);
  EXPECT_THAT(json, HasSubstr("{\"k\": 10, \"sweep\": [{\"point\": {\"fields.title\": \"3\"}, "
                              "\"metrics\": {\"judged_articles\": 2, \"ndcg\": 0.4,"));
}

}  // namespace
}  // namespace seealso::eval
