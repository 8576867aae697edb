// End to end: a real gRPC server in-process on an ephemeral loopback port.
#include "service/server.h"

#include "absl/container/flat_hash_set.h"
#include "embeddings/corpus.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "seealso/v1/related.grpc.pb.h"
#include "tests/health_client.h"

namespace seealso {
namespace {

using ::testing::HasSubstr;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<Corpus> corpus = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
    ASSERT_TRUE(corpus.ok()) << corpus.status();
    service_ = new std::shared_ptr<const RelatedService>(std::make_shared<const RelatedService>(
        std::shared_ptr<const RelatedIndex>(RelatedIndex::Build(std::move(corpus->articles)))));
  }
  static void TearDownTestSuite() { delete service_; }

  void SetUp() override {
    auto server = Server::Start(*service_, ServerOptions{.listen = "127.0.0.1:0"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::RelatedArticles::NewStub(channel_);
  }

  grpc::Status Call(int64_t id, int k, v1::GetRelatedResponse* response) {
    v1::GetRelatedRequest request;
    request.set_id(id);
    request.set_k(k);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->GetRelated(&context, request, response);
  }

  static std::shared_ptr<const RelatedService>* service_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RelatedArticles::Stub> stub_;
};

std::shared_ptr<const RelatedService>* ServerTest::service_ = nullptr;

TEST_F(ServerTest, GetRelatedReturnsKDistinctArticlesNotSelf) {
  v1::GetRelatedResponse response;
  const grpc::Status status = Call(171811, 4, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.id(), 171811);
  ASSERT_EQ(response.related_size(), 4);
  absl::flat_hash_set<int64_t> ids;
  absl::flat_hash_set<std::string> urls;
  for (const v1::RelatedArticle& r : response.related()) {
    EXPECT_NE(r.id(), 171811);
    EXPECT_TRUE(ids.insert(r.id()).second);
    EXPECT_TRUE(urls.insert(r.url()).second);
    EXPECT_FALSE(r.title().empty());
    EXPECT_FALSE(r.subject().empty());
    EXPECT_GT(r.score(), 0.0f);
  }
  for (int i = 1; i < response.related_size(); ++i) {
    EXPECT_GE(response.related(i - 1).score(), response.related(i).score());
  }
}

TEST_F(ServerTest, KZeroMeansDefaultOfFour) {
  v1::GetRelatedResponse response;
  ASSERT_TRUE(Call(171811, 0, &response).ok());
  EXPECT_EQ(response.related_size(), 4);
}

TEST_F(ServerTest, UnknownIdIsNotFound) {
  v1::GetRelatedResponse response;
  const grpc::Status status = Call(999999999, 4, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("999999999"));
}

TEST_F(ServerTest, BadKIsInvalidArgumentNamingTheField) {
  for (int k : {-1, 101, 1 << 30}) {
    v1::GetRelatedResponse response;
    const grpc::Status status = Call(171811, k, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << k;
    EXPECT_THAT(status.error_message(), HasSubstr("k:")) << k;
  }
}

TEST_F(ServerTest, ScoringOptionsTravelOverTheWire) {
  v1::GetRelatedRequest request;
  request.set_id(171811);
  request.set_k(3);
  request.mutable_options()->set_explain_terms(2);
  request.mutable_options()->add_exclude_subjects("Nursing");
  v1::GetRelatedResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetRelated(&context, request, &response).ok());
  ASSERT_EQ(response.related_size(), 3);
  for (const v1::RelatedArticle& r : response.related()) {
    EXPECT_NE(r.subject(), "Nursing");
    EXPECT_EQ(r.explanation_size(), 2);
  }
}

TEST_F(ServerTest, BadOptionIsInvalidArgument) {
  v1::GetRelatedRequest request;
  request.set_id(171811);
  request.mutable_options()->set_mmr_lambda(-1);
  v1::GetRelatedResponse response;
  grpc::ClientContext context;
  const grpc::Status status = stub_->GetRelated(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("options.mmr_lambda"));
}

TEST_F(ServerTest, HealthIsServing) {
  EXPECT_EQ(testing::CheckHealth(channel_), testing::Health::kServing);
}

TEST_F(ServerTest, ShutdownRefusesNewCalls) {
  server_->Shutdown(std::chrono::milliseconds(100));
  server_->Wait();
  v1::GetRelatedResponse response;
  EXPECT_EQ(Call(171811, 4, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace seealso
