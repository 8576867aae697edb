// Evaluation metrics on tiny hand-computed cases.
#include "eval/metrics.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace seealso::eval {
namespace {

std::vector<ScoredLink> List(std::vector<int64_t> ids) {
  std::vector<ScoredLink> list;
  double score = 1.0;
  for (int64_t id : ids) list.push_back({id, score -= 0.1});
  return list;
}

TEST(MetricsTest, BinaryRelevanceByHand) {
  const Judgments judged = {{2, 1}, {5, 1}, {9, 1}};
  const auto list = List({2, 3, 5});
  // DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3) + 1/log2(4).
  EXPECT_NEAR(NdcgAtK(list, judged, 3), 1.5 / (1 + 1 / std::log2(3.0) + 0.5), 1e-12);
  EXPECT_NEAR(NdcgAtK(list, judged, 3), 0.7039180890, 1e-9);
  EXPECT_DOUBLE_EQ(PrecisionAtK(list, judged, 3), 2.0 / 3);
  EXPECT_DOUBLE_EQ(RecallAtK(list, judged, 3), 2.0 / 3);
  EXPECT_DOUBLE_EQ(ReciprocalRankAtK(list, judged, 3), 1.0);
  // AP@3 = (P@1 + P@3) / min(3, 3) = (1 + 2/3) / 3.
  EXPECT_DOUBLE_EQ(AveragePrecisionAtK(list, judged, 3), 5.0 / 9);
  // At k = 1 only article 2 counts.
  EXPECT_DOUBLE_EQ(NdcgAtK(list, judged, 1), 1.0);
  EXPECT_DOUBLE_EQ(RecallAtK(list, judged, 1), 1.0 / 3);
  EXPECT_DOUBLE_EQ(AveragePrecisionAtK(list, judged, 1), 1.0);
}

TEST(MetricsTest, GradedGainsAndIdealFromTheBestKJudgments) {
  const Judgments judged = {{7, 2}, {8, 1}};
  // DCG = 1 + 2/log2(3); ideal puts the grade 2 first: 2 + 1/log2(3).
  EXPECT_NEAR(NdcgAtK(List({8, 7}), judged, 2), 0.8597186999, 1e-9);
  EXPECT_DOUBLE_EQ(NdcgAtK(List({7, 8}), judged, 2), 1.0);
  // The ideal at k = 1 is the single best grade (2), so a grade-1 hit scores 1/2.
  EXPECT_DOUBLE_EQ(NdcgAtK(List({8}), {{7, 2}, {8, 1}, {9, 1}}, 1), 0.5);
  // Grades do not weigh P, R, MRR or AP: any grade > 0 is relevant.
  EXPECT_DOUBLE_EQ(PrecisionAtK(List({8, 7}), judged, 2), 1.0);
  EXPECT_DOUBLE_EQ(ReciprocalRankAtK(List({8, 7}), judged, 2), 1.0);
}

TEST(MetricsTest, ZeroGradeIsJudgedButNotRelevant) {
  const Judgments judged = {{4, 0}, {6, 1}};
  EXPECT_DOUBLE_EQ(ReciprocalRankAtK(List({4, 6}), judged, 2), 0.5);
  EXPECT_DOUBLE_EQ(RecallAtK(List({4, 6}), judged, 2), 1.0);
  EXPECT_DOUBLE_EQ(NdcgAtK(List({4}), {{4, 0}}, 1), 0.0);
}

TEST(MetricsTest, TiedScoresKeepTheListOrder) {
  const Judgments judged = {{4, 1}};
  const std::vector<ScoredLink> a = {{3, 0.5}, {4, 0.5}};
  const std::vector<ScoredLink> b = {{4, 0.5}, {3, 0.5}};
  EXPECT_DOUBLE_EQ(ReciprocalRankAtK(a, judged, 2), 0.5);
  EXPECT_DOUBLE_EQ(ReciprocalRankAtK(b, judged, 2), 1.0);
  EXPECT_NEAR(NdcgAtK(a, judged, 2), 1 / std::log2(3.0), 1e-12);
  // Tied judged grades in the ideal: two grade-1 judgments, one found at rank 1.
  EXPECT_NEAR(NdcgAtK(b, {{4, 1}, {5, 1}}, 2), 1 / (1 + 1 / std::log2(3.0)), 1e-12);
}

TEST(MetricsTest, EmptyAndShortLists) {
  const Judgments judged = {{1, 1}, {2, 1}};
  for (int k : {1, 10}) {
    EXPECT_EQ(NdcgAtK({}, judged, k), 0.0);
    EXPECT_EQ(PrecisionAtK({}, judged, k), 0.0);
    EXPECT_EQ(RecallAtK({}, judged, k), 0.0);
    EXPECT_EQ(ReciprocalRankAtK({}, judged, k), 0.0);
    EXPECT_EQ(AveragePrecisionAtK({}, judged, k), 0.0);
  }
  // A one-entry list is still divided by k for precision.
  EXPECT_DOUBLE_EQ(PrecisionAtK(List({1}), judged, 10), 0.1);
  // AP divides by min(k, relevant) = 2, so one hit at rank 1 is 1/2.
  EXPECT_DOUBLE_EQ(AveragePrecisionAtK(List({1}), judged, 10), 0.5);
  // No judgments at all: everything 0, no division by zero.
  EXPECT_EQ(NdcgAtK(List({1}), {}, 10), 0.0);
  EXPECT_EQ(RecallAtK(List({1}), {}, 10), 0.0);
  EXPECT_EQ(AveragePrecisionAtK(List({1}), {}, 10), 0.0);
}

TEST(MetricsTest, RepeatedIdEarnsItsGainOnce) {
  const Judgments judged = {{2, 1}, {5, 1}};
  const auto list = List({2, 2, 5});
  EXPECT_DOUBLE_EQ(PrecisionAtK(list, judged, 3), 2.0 / 3);
  EXPECT_DOUBLE_EQ(RecallAtK(list, judged, 3), 1.0);
  EXPECT_NEAR(NdcgAtK(list, judged, 3), 0.9197207891, 1e-9);
  // AP = (P@1 + P@3) / 2 = (1 + 2/3) / 2.
  EXPECT_DOUBLE_EQ(AveragePrecisionAtK(list, judged, 3), 5.0 / 6);
}

TEST(MetricsTest, AveragePrecisionWhenMoreRelevantThanK) {
  const Judgments judged = {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}};
  EXPECT_DOUBLE_EQ(AveragePrecisionAtK(List({1, 2}), judged, 2), 1.0);
  EXPECT_DOUBLE_EQ(AveragePrecisionAtK(List({9, 2}), judged, 2), 0.25);
}

TEST(MetricsTest, RelevanceAveragesOverArticlesWithRelevantJudgments) {
  const Ranking ranking = {{1, List({10, 11})}, {2, List({10})}, {4, List({40})}};
  const Qrels qrels = {
      {1, {{11, 1}}},  // RR 1/2, P@2 1/2
      {3, {{30, 1}}},  // judged, but no list: scores 0
      {4, {{40, 0}}},  // no relevant judgment: left out
  };  // Article 2 has a list but no judgments: left out.
  std::vector<ArticleResult> per_article;
  const RelevanceMetrics m = EvaluateRelevance(ranking, qrels, 2, &per_article);
  EXPECT_EQ(m.articles, 2);
  EXPECT_DOUBLE_EQ(m.mrr, 0.25);
  EXPECT_DOUBLE_EQ(m.precision, 0.25);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_NEAR(m.ndcg, 0.5 / std::log2(3.0), 1e-12);
  EXPECT_DOUBLE_EQ(m.map, 0.25);
  ASSERT_EQ(per_article.size(), 2u);
  EXPECT_EQ(per_article[0].id, 1);
  EXPECT_EQ(per_article[1].id, 3);
  EXPECT_EQ(per_article[1].ndcg, 0.0);
  EXPECT_EQ(EvaluateRelevance(ranking, {}, 2).articles, 0);
  EXPECT_EQ(EvaluateRelevance(ranking, {}, 2).ndcg, 0.0);
}

TEST(MetricsTest, GiniOfInLinkCounts) {
  EXPECT_DOUBLE_EQ(Gini({1, 1, 1, 1}), 0.0);
  // Sorted [0,0,0,4]: 2 * (4 * 4) / (4 * 4) - 5/4.
  EXPECT_DOUBLE_EQ(Gini({4, 0, 0, 0}), 0.75);
  EXPECT_DOUBLE_EQ(Gini({2, 0, 1, 0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(Gini({}), 0.0);
  EXPECT_DOUBLE_EQ(Gini({0, 0}), 0.0);
}

class HygieneTest : public ::testing::Test {
 protected:
  const Catalogue catalogue_ = {{1, "a"}, {2, "a"}, {3, "b"}, {4, "b"}, {5, "c"}};
  const Ranking ranking_ = {
      {1, {{1, 1.0}, {2, 0.8}, {2, 0.8}, {3, 0.4}}},  // self, repeat, both of dup {2,3}
      {2, {{3, 0.6}, {99, 0.2}}},                    // 99 is stale
      {3, {}},
  };  // 4 and 5 have no list.
  const DupGroups dups_ = {{2, 3}};
};

TEST_F(HygieneTest, CountsDefectsAndShares) {
  const HygieneMetrics h = EvaluateHygiene(ranking_, catalogue_, dups_, 10);
  EXPECT_EQ(h.empty_lists, 3);
  EXPECT_EQ(h.links, 6);
  EXPECT_EQ(h.self_links, 1);
  EXPECT_EQ(h.repeated_ids, 1);
  EXPECT_EQ(h.unknown_ids, 1);
  EXPECT_EQ(h.dup_group_lists, 1);
  // Known pairs (repeat skipped): 1->1, 1->2, 1->3 (cross), 2->3 (cross).
  EXPECT_DOUBLE_EQ(h.cross_subject_share, 0.5);
  // In-links 1:1, 2:1, 3:2 of five articles.
  EXPECT_DOUBLE_EQ(h.coverage, 0.6);
  EXPECT_DOUBLE_EQ(h.in_link_gini, 0.5);
  ASSERT_TRUE(h.mean_score.has_value());
  EXPECT_NEAR(*h.mean_score, 3.8 / 6, 1e-12);
}

TEST_F(HygieneTest, OnlyTheTopKCounts) {
  const HygieneMetrics h = EvaluateHygiene(ranking_, catalogue_, dups_, 2);
  EXPECT_EQ(h.links, 4);
  EXPECT_EQ(h.repeated_ids, 0);
  EXPECT_EQ(h.dup_group_lists, 0);
  EXPECT_EQ(h.unknown_ids, 1);
}

TEST_F(HygieneTest, NoScoresMeansNoMeanScore) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const HygieneMetrics h = EvaluateHygiene({{1, {{2, nan}, {3, nan}}}}, catalogue_, {}, 10);
  EXPECT_FALSE(h.mean_score.has_value());
  EXPECT_EQ(h.dup_group_lists, 0);  // no groups given
}

TEST(EvaluateTest, CurveHoldsEveryCutOffUpToK) {
  const Ranking ranking = {{1, List({9, 2, 3})}};
  const Qrels qrels = {{1, {{2, 1}, {3, 1}}}};
  const EvalReport report = Evaluate(ranking, {{1, "a"}}, &qrels, {}, 3);
  ASSERT_EQ(report.curve.size(), 3u);
  EXPECT_EQ(report.curve[0].precision, 0.0);
  EXPECT_DOUBLE_EQ(report.curve[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(report.curve[2].recall, 1.0);
  EXPECT_DOUBLE_EQ(report.relevance->precision, report.curve[2].precision);
  EXPECT_FALSE(Evaluate(ranking, {{1, "a"}}, nullptr, {}, 3).relevance.has_value());
  EXPECT_TRUE(Evaluate(ranking, {{1, "a"}}, nullptr, {}, 3).curve.empty());
}

}  // namespace
}  // namespace seealso::eval
