// The API logic without a network: validation, options, response building.
#include "service/related_service.h"

#include "embeddings/corpus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const RelatedIndex> SampleIndex() {
  static const auto* const kIndex = [] {
    absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
    return new std::shared_ptr<const RelatedIndex>(RelatedIndex::Build(std::move(c->articles)));
  }();
  return *kIndex;
}

v1::GetRelatedRequest Request(int64_t id, int k) {
  v1::GetRelatedRequest r;
  r.set_id(id);
  r.set_k(k);
  return r;
}

TEST(RelatedServiceTest, ResponseMatchesTheIndexRanking) {
  RelatedService service(SampleIndex());
  v1::GetRelatedResponse response;
  ASSERT_TRUE(service.GetRelated(Request(171811, 5), &response).ok());
  const RelatedIndex& idx = *SampleIndex();
  const auto expected = idx.TopK(*idx.Find(171811), RankOptions{.k = 5});
  ASSERT_EQ(response.related_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const Article& a = idx.article(expected[i].doc);
    EXPECT_EQ(response.related(i).id(), a.id);
    EXPECT_EQ(response.related(i).title(), a.title);
    EXPECT_EQ(response.related(i).url(), a.url);
    EXPECT_EQ(response.related(i).subject(), a.subject);
    EXPECT_FLOAT_EQ(response.related(i).score(), expected[i].score);
    EXPECT_EQ(response.related(i).explanation_size(), 0);
  }
}

TEST(RelatedServiceTest, OptionsReachTheRanking) {
  RelatedService service(SampleIndex());
  v1::GetRelatedRequest request = Request(171811, 10);
  request.mutable_options()->add_include_subjects("Medicine");
  request.mutable_options()->add_exclude_ids(171810);
  request.mutable_options()->set_explain_terms(3);
  v1::GetRelatedResponse response;
  ASSERT_TRUE(service.GetRelated(request, &response).ok());
  ASSERT_GT(response.related_size(), 0);
  for (const v1::RelatedArticle& r : response.related()) {
    EXPECT_EQ(r.subject(), "Medicine");
    EXPECT_NE(r.id(), 171810);
    EXPECT_GE(r.explanation_size(), 1);
    EXPECT_LE(r.explanation_size(), 3);
    EXPECT_FALSE(r.explanation(0).term().empty());
  }
}

TEST(RelatedServiceTest, ServerDefaultsApplyUnlessOverridden) {
  RankOptions defaults;
  defaults.exclude_subjects = {"Medicine"};
  RelatedService service(SampleIndex(), ServiceLimits{}, defaults);
  v1::GetRelatedResponse response;
  ASSERT_TRUE(service.GetRelated(Request(171811, 10), &response).ok());
  for (const v1::RelatedArticle& r : response.related()) EXPECT_NE(r.subject(), "Medicine");
}

struct BadOption {
  const char* name;
  void (*set)(v1::ScoringOptions*);
  const char* field;
};

class BadOptionTest : public ::testing::TestWithParam<BadOption> {};

TEST_P(BadOptionTest, IsInvalidArgumentNamingTheField) {
  RelatedService service(SampleIndex());
  v1::GetRelatedRequest request = Request(171811, 4);
  GetParam().set(request.mutable_options());
  v1::GetRelatedResponse response;
  const absl::Status s = service.GetRelated(request, &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr(GetParam().field));
}

INSTANTIATE_TEST_SUITE_P(
    AllOptions, BadOptionTest,
    ::testing::Values(
        BadOption{"MinScoreAboveOne", [](v1::ScoringOptions* o) { o->set_min_score(1.5f); },
                  "options.min_score:"},
        BadOption{"MinScoreNegative", [](v1::ScoringOptions* o) { o->set_min_score(-0.1f); },
                  "options.min_score:"},
        BadOption{"BoostZero", [](v1::ScoringOptions* o) { o->set_same_subject_boost(0); },
                  "options.same_subject_boost:"},
        BadOption{"LambdaAboveOne", [](v1::ScoringOptions* o) { o->set_mmr_lambda(2); },
                  "options.mmr_lambda:"},
        BadOption{"ExplainTooMany", [](v1::ScoringOptions* o) { o->set_explain_terms(51); },
                  "options.explain_terms:"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RelatedServiceTest, KLimitsAreConfigurable) {
  RelatedService service(SampleIndex(), ServiceLimits{.default_k = 2, .max_k = 3});
  v1::GetRelatedResponse response;
  ASSERT_TRUE(service.GetRelated(Request(171811, 0), &response).ok());
  EXPECT_EQ(response.related_size(), 2);
  const absl::Status s = service.GetRelated(Request(171811, 4), &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("k: must be between 1 and 3"));
}

}  // namespace
}  // namespace seealso
