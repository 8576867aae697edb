// The API logic without a network: validation, options, response building.
#include "service/related_service.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service_testing.h"

namespace seealso {
namespace {

using ::testing::HasSubstr;
using testing::SampleHolder;
using testing::SampleIndex;

v1::GetRelatedRequest Request(int64_t id, int k) {
  v1::GetRelatedRequest r;
  r.set_id(id);
  r.set_k(k);
  return r;
}

TEST(RelatedServiceTest, ResponseMatchesTheIndexRanking) {
  RelatedService service(SampleHolder());
  v1::GetRelatedResponse response;
  ASSERT_TRUE(service.GetRelated(Request(171811, 5), &response).ok());
  const RelatedIndex& idx = *SampleIndex();
  const auto expected = idx.TopK(*idx.Find(171811), RankOptions{.k = 5});
  ASSERT_EQ(response.related_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const ArticleMeta a = idx.article(expected[i].doc);
    EXPECT_EQ(response.related(i).id(), a.id);
    EXPECT_EQ(response.related(i).title(), a.title);
    EXPECT_EQ(response.related(i).url(), a.url);
    EXPECT_EQ(response.related(i).subject(), a.subject);
    EXPECT_FLOAT_EQ(response.related(i).score(), expected[i].score);
    EXPECT_EQ(response.related(i).explanation_size(), 0);
  }
}

TEST(RelatedServiceTest, OptionsReachTheRanking) {
  RelatedService service(SampleHolder());
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
  RelatedService service(SampleHolder(), ServiceLimits{}, defaults);
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
  RelatedService service(SampleHolder());
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
        BadOption{"MentionBoostNegative", [](v1::ScoringOptions* o) { o->set_mention_boost(-1); },
                  "options.mention_boost:"},
        BadOption{"MentionBoostTooLarge", [](v1::ScoringOptions* o) { o->set_mention_boost(11); },
                  "options.mention_boost:"},
        BadOption{"ExplainTooMany", [](v1::ScoringOptions* o) { o->set_explain_terms(51); },
                  "options.explain_terms:"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RelatedServiceTest, KLimitsAreConfigurable) {
  RelatedService service(SampleHolder(), ServiceLimits{.default_k = 2, .max_k = 3});
  v1::GetRelatedResponse response;
  ASSERT_TRUE(service.GetRelated(Request(171811, 0), &response).ok());
  EXPECT_EQ(response.related_size(), 2);
  const absl::Status s = service.GetRelated(Request(171811, 4), &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(s.message()), HasSubstr("k: at most 3"));
  const absl::Status negative = service.GetRelated(Request(171811, -1), &response);
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(negative.message()), HasSubstr("k: must be between 1 and 3"));
}

TEST(RelatedServiceTest, ByUrlEqualsById) {
  RelatedService service(SampleHolder());
  v1::GetRelatedResponse by_id;
  ASSERT_TRUE(service.GetRelated(Request(171830, 4), &by_id).ok());
  v1::GetRelatedRequest request;
  // Canonical comparison: host, case, trailing slash and query are ignored.
  request.set_url("https://example.org/Learn/computer-science/questions/how-do-hash-tables-handle-collisions/?x=1");
  v1::GetRelatedResponse by_url;
  ASSERT_TRUE(service.GetRelated(request, &by_url).ok());
  EXPECT_EQ(by_url.id(), 171830);
  EXPECT_EQ(by_url.SerializeAsString(), by_id.SerializeAsString());
  EXPECT_EQ(by_url.snapshot().generation(), 1u);
  EXPECT_EQ(by_url.snapshot().checksum(), IndexChecksum(*SampleIndex()));

  request.set_url("/no/such/page");
  const absl::Status s = service.GetRelated(request, &by_url);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("url: no article at /no/such/page"));
}

TEST(RelatedServiceTest, NeitherIdNorUrlIsInvalidArgument) {
  RelatedService service(SampleHolder());
  v1::GetRelatedResponse response;
  const absl::Status s = service.GetRelated(v1::GetRelatedRequest(), &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("id: set id or url"));
}

TEST(RelatedServiceTest, EveryCallIsUnavailableBeforeTheFirstLoad) {
  RelatedService service(std::make_shared<IndexHolder>(nullptr, ""));
  v1::GetRelatedResponse r1;
  EXPECT_EQ(service.GetRelated(Request(171811, 4), &r1).code(), absl::StatusCode::kUnavailable);
  v1::GetIndexInfoResponse r2;
  EXPECT_EQ(service.GetIndexInfo({}, &r2).code(), absl::StatusCode::kUnavailable);
}

TEST(RelatedServiceTest, DraftTextRanksLikeTheIndex) {
  RelatedService service(SampleHolder());
  v1::GetRelatedForTextRequest request;
  request.set_title("Interest rates and inflation");
  request.set_text("How a central bank raises interest rates to bring inflation down.");
  request.set_subject("Economics");
  request.set_k(3);
  v1::GetRelatedForTextResponse response;
  ASSERT_TRUE(service.GetRelatedForText(request, &response).ok());
  const RelatedIndex& idx = *SampleIndex();
  Article draft;
  draft.title = request.title();
  draft.subject = "Economics";
  draft.answer = request.text();
  const auto expected = idx.TopKForVector(idx.embeddings().Embed(draft), "Economics",
                                          RankOptions{.k = 3});
  ASSERT_EQ(response.related_size(), 3);
  ASSERT_EQ(expected.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(response.related(i).id(), idx.article(expected[i].doc).id);
    EXPECT_EQ(response.related(i).subject(), "Economics");
  }
  EXPECT_EQ(response.snapshot().generation(), 1u);
}

// A draft naming an indexed article's title gets it, boosted and marked, as
// an indexed article naming it would; options.mention_boost = 0 turns it off.
TEST(RelatedServiceTest, DraftNamingATitleGetsItsMentionBoost) {
  RelatedService service(SampleHolder());
  const RelatedIndex& idx = *SampleIndex();
  const int32_t named = *idx.Find(171811);
  v1::GetRelatedForTextRequest request;
  request.set_question(absl::StrCat("Cooking pasta at altitude. See also: ",
                                    idx.article(named).title));
  request.set_k(10);
  // The draft is mostly the title: a near copy of the article, kept here.
  request.mutable_options()->set_keep_near_copies_of_query(true);
  v1::GetRelatedForTextResponse response;
  ASSERT_TRUE(service.GetRelatedForText(request, &response).ok());
  int found = -1;
  for (int i = 0; i < response.related_size(); ++i) {
    if (response.related(i).id() == 171811) found = i;
    EXPECT_EQ(response.related(i).mentioned(), response.related(i).id() == 171811);
  }
  ASSERT_GE(found, 0);
  Article draft;
  draft.question = request.question();
  const float cosine = Dot(RowOf(idx.embeddings().Embed(draft)),
                           RowOf(idx.embeddings().matrix(), named));
  EXPECT_FLOAT_EQ(response.related(found).score(), cosine + RankOptions().mention_boost);

  request.mutable_options()->set_mention_boost(0);
  v1::GetRelatedForTextResponse off;
  ASSERT_TRUE(service.GetRelatedForText(request, &off).ok());
  ASSERT_GT(off.related_size(), 0);
  for (const v1::RelatedArticle& r : off.related()) {
    EXPECT_FALSE(r.mentioned());
    if (r.id() == 171811) {
      EXPECT_FLOAT_EQ(r.score(), cosine);
    }
  }
}

TEST(RelatedServiceTest, EmptyDraftIsInvalidArgument) {
  RelatedService service(SampleHolder());
  v1::GetRelatedForTextRequest request;
  request.set_subject("Economics");
  v1::GetRelatedForTextResponse response;
  const absl::Status s = service.GetRelatedForText(request, &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("text:"));
}

TEST(RelatedServiceTest, BatchReportsUnknownIdsPerItem) {
  RelatedService service(SampleHolder());
  v1::BatchGetRelatedRequest request;
  for (int64_t id : {171811, 42, 171830}) request.add_ids(id);
  request.set_k(2);
  v1::BatchGetRelatedResponse response;
  ASSERT_TRUE(service.BatchGetRelated(request, &response).ok());
  ASSERT_EQ(response.items_size(), 3);
  for (int i : {0, 2}) {
    v1::GetRelatedResponse single;
    ASSERT_TRUE(service.GetRelated(Request(request.ids(i), 2), &single).ok());
    EXPECT_EQ(response.items(i).id(), request.ids(i));
    EXPECT_FALSE(response.items(i).has_error());
    ASSERT_EQ(response.items(i).related_size(), 2);
    EXPECT_EQ(response.items(i).related(0).id(), single.related(0).id());
    EXPECT_EQ(response.items(i).related(1).id(), single.related(1).id());
  }
  EXPECT_EQ(response.items(1).id(), 42);
  EXPECT_EQ(response.items(1).related_size(), 0);
  EXPECT_EQ(response.items(1).error().code(), 5);  // NOT_FOUND
  EXPECT_THAT(response.items(1).error().message(), HasSubstr("42"));
}

TEST(RelatedServiceTest, BatchLimits) {
  RelatedService service(SampleHolder(), ServiceLimits{.max_batch = 2});
  v1::BatchGetRelatedRequest request;
  v1::BatchGetRelatedResponse response;
  absl::Status s = service.BatchGetRelated(request, &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("ids:"));
  for (int64_t id : {171811, 171812, 171813}) request.add_ids(id);
  s = service.BatchGetRelated(request, &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(s.message()), HasSubstr("ids: at most 2 per call"));
}

TEST(RelatedServiceTest, BatchStopsWhenTheCallCheckFails) {
  RelatedService service(SampleHolder());
  v1::BatchGetRelatedRequest request;
  for (int64_t id : {171811, 171812, 171813}) request.add_ids(id);
  int asked = 0;
  v1::BatchGetRelatedResponse response;
  const absl::Status s = service.BatchGetRelated(request, &response, [&] {
    return ++asked <= 2 ? absl::OkStatus() : absl::DeadlineExceededError("deadline exceeded");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(response.items_size(), 2);
}

TEST(RelatedServiceTest, StreamCoversEveryArticleFromOneSnapshot) {
  std::shared_ptr<IndexHolder> holder = SampleHolder();
  RelatedService service(holder);
  v1::StreamAllRelatedRequest request;
  request.set_k(3);
  std::vector<v1::StreamAllRelatedResponse> got;
  const absl::Status s = service.StreamAllRelated(request, [&](const auto& m) {
    got.push_back(m);
    // A reload mid-stream must not change what the rest of the stream sees.
    if (got.size() == 10) holder->Install(testing::SmallerSampleIndex(5), "smaller");
    return true;
  });
  ASSERT_TRUE(s.ok()) << s;
  const RelatedIndex& idx = *SampleIndex();
  ASSERT_EQ(static_cast<int>(got.size()), idx.size());
  for (int32_t doc = 0; doc < idx.size(); ++doc) {
    EXPECT_EQ(got[doc].id(), idx.article(doc).id);
    EXPECT_EQ(got[doc].snapshot().generation(), 1u);
    const auto expected = idx.TopK(doc, RankOptions{.k = 3});
    ASSERT_EQ(got[doc].related_size(), static_cast<int>(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(got[doc].related(i).id(), idx.article(expected[i].doc).id);
    }
  }
  EXPECT_EQ(holder->Current()->version.generation, 2u);
}

TEST(RelatedServiceTest, StreamStopsWhenTheReaderGoesAwayOrTheCheckFails) {
  RelatedService service(SampleHolder());
  int written = 0;
  absl::Status s = service.StreamAllRelated({}, [&](const auto&) { return ++written < 3; });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(written, 3);
  written = 0;
  s = service.StreamAllRelated(
      {}, [&](const auto&) { return ++written > 0; },
      [&] { return written < 4 ? absl::OkStatus() : absl::DeadlineExceededError("late"); });
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(written, 4);
}

TEST(RelatedServiceTest, IndexInfoDescribesTheSnapshot) {
  RelatedService service(SampleHolder(), ServiceLimits{.default_k = 5, .max_k = 50});
  v1::GetIndexInfoResponse info;
  ASSERT_TRUE(service.GetIndexInfo({}, &info).ok());
  EXPECT_EQ(info.article_count(), 53);
  EXPECT_EQ(info.vocabulary_size(),
            static_cast<int32_t>(SampleIndex()->embeddings().terms().size()));
  EXPECT_EQ(info.snapshot().generation(), 1u);
  EXPECT_EQ(info.snapshot().checksum(), IndexChecksum(*SampleIndex()));
  EXPECT_EQ(info.source(), "sample");
  EXPECT_GT(info.build_time().seconds(), 1600000000);
  EXPECT_EQ(info.limits().default_k(), 5);
  EXPECT_EQ(info.limits().max_k(), 50);
  EXPECT_EQ(info.limits().max_batch(), 1000);
  EXPECT_TRUE(info.engine().sublinear_tf());
  const FieldWeights defaults;
  EXPECT_EQ(info.engine().field_weights().at("title"), defaults.title);
  EXPECT_EQ(info.engine().field_weights().at("question"), defaults.question);
  EXPECT_EQ(info.engine().field_weights().at("description"), defaults.description);
  EXPECT_EQ(info.engine().field_combination(), "field_vectors");
  EXPECT_EQ(info.engine().stem(), AnalyzerOptions().stem);
  EXPECT_EQ(info.engine().bigram_min_df(), TfidfOptions().bigram_min_df);
  EXPECT_EQ(info.engine().bigram_weight(), TfidfOptions().bigram_weight);
  EXPECT_THAT(info.engine().bigram_fields(),
              ::testing::ElementsAre("title", "question", "keywords", "description", "subject"));
  EXPECT_EQ(info.engine().mention_min_title_words(), MentionOptions().min_title_words);
  EXPECT_EQ(info.engine().mention_max_df(), MentionOptions().max_df);
  EXPECT_EQ(info.engine().title_mentions(), 0);  // the sample's articles name no other

  // An index whose articles name each other's titles says how many pairs.
  std::vector<Article> articles(3);
  for (int i = 0; i < 3; ++i) articles[static_cast<size_t>(i)].id = i + 1;
  articles[0].title = "Graph coloring basics";
  articles[1].title = "Heap sort explained";
  articles[2].title = "Both";
  articles[2].question = "See graph coloring basics, then heap sort explained.";
  auto holder = std::make_shared<IndexHolder>(
      [](const std::string& source) -> absl::StatusOr<std::shared_ptr<const RelatedIndex>> {
        return absl::NotFoundError(source);
      },
      "mentions");
  holder->Install(RelatedIndex::Build(std::move(articles)), "mentions");
  v1::GetIndexInfoResponse named;
  ASSERT_TRUE(RelatedService(holder).GetIndexInfo({}, &named).ok());
  EXPECT_EQ(named.engine().title_mentions(), 2);
}

// Lists stored with the server's defaults are what a request without options
// gets; any other k or scoring default bypasses them (and Reload logs it).
TEST(RelatedServiceTest, DefaultRequestsUseListsOnlyIfMadeWithTheServerDefaults) {
  std::shared_ptr<const RelatedIndex> plain = SampleIndex();
  RankOptions made_with;
  made_with.k = 4;  // ServiceLimits' default_k
  const PrecomputedLists lists = PrecomputeLists(*plain, made_with);
  absl::StatusOr<std::unique_ptr<const RelatedIndex>> with_lists = RelatedIndex::FromEmbeddings(
      plain->articles(), plain->embeddings(), plain->similarity(), lists);
  ASSERT_TRUE(with_lists.ok()) << with_lists.status();

  EXPECT_TRUE(RelatedService(SampleHolder()).DefaultRequestsUseLists(**with_lists));
  EXPECT_FALSE(RelatedService(SampleHolder()).DefaultRequestsUseLists(*plain));
  EXPECT_FALSE(RelatedService(SampleHolder(), ServiceLimits{.default_k = 5})
                   .DefaultRequestsUseLists(**with_lists));
  RankOptions other;
  other.pruning.rescore = made_with.pruning.rescore + 1;
  EXPECT_FALSE(RelatedService(SampleHolder(), ServiceLimits{}, other)
                   .DefaultRequestsUseLists(**with_lists));
  RankOptions explained = made_with;
  explained.explain_terms = 3;  // explanations are computed on demand
  EXPECT_TRUE(RelatedService(SampleHolder(), ServiceLimits{}, explained)
                  .DefaultRequestsUseLists(**with_lists));
}

}  // namespace
}  // namespace seealso
