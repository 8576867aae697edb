// End to end: a real gRPC server in-process on ephemeral loopback ports, every
// RPC and status code, health, reflection, hot reload, shutdown, admin
// authorisation and metrics.
#include "service/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "seealso/v1/related.grpc.pb.h"
#include "service/corpus_loader.h"
#include "tests/health_client.h"
#include "tests/service_testing.h"
#include "tests/scratch_dir.h"

namespace seealso {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kSample[] = SEEALSO_SOURCE_DIR "/data/sample";
constexpr char kToken[] = "s3cret-token";

std::unique_ptr<grpc::ClientContext> Context(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

// The body of GET /metrics, over a plain loopback socket.
std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  // Starts a server over `holder` (default: the sample corpus, loaded).
  void StartServer(ServerOptions options = {}, std::shared_ptr<IndexHolder> holder = nullptr) {
    if (holder == nullptr) {
      holder = std::make_shared<IndexHolder>(
          [](const std::string& dir) { return LoadIndexFromCorpus(dir); }, kSample);
      holder->Install(testing::SampleIndex(), kSample);
    }
    if (options.listen == "127.0.0.1:50051") options.listen = "127.0.0.1:0";
    auto server = Server::Start(std::make_shared<RelatedService>(holder, options.limits), options,
                                [this](const std::string& line) {
                                  std::lock_guard<std::mutex> lock(log_mu_);
                                  log_.push_back(line);
                                });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
    channel_ = Channel(server_->port());
    stub_ = v1::RelatedArticles::NewStub(channel_);
  }

  static std::shared_ptr<grpc::Channel> Channel(int port) {
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                               grpc::InsecureChannelCredentials());
  }

  grpc::Status Call(int64_t id, int k, v1::GetRelatedResponse* response) {
    v1::GetRelatedRequest request;
    request.set_id(id);
    request.set_k(k);
    return stub_->GetRelated(Context().get(), request, response);
  }

  grpc::Status Reload(const std::string& source, const std::string& authorization,
                      v1::ReloadIndexResponse* response,
                      v1::RelatedArticles::Stub* stub = nullptr) {
    v1::ReloadIndexRequest request;
    request.set_source(source);
    auto context = Context(std::chrono::seconds(60));
    if (!authorization.empty()) context->AddMetadata("authorization", authorization);
    return (stub ? stub : stub_.get())->ReloadIndex(context.get(), request, response);
  }

  uint64_t ServingGeneration() {
    v1::GetIndexInfoResponse info;
    EXPECT_TRUE(stub_->GetIndexInfo(Context().get(), {}, &info).ok());
    return info.snapshot().generation();
  }

  // Starts a server whose loader blocks until FinishReload(), with a
  // ReloadIndex call into it: a call kept in flight for as long as needed.
  void StartServerWithReloadInFlight(ServerOptions options) {
    auto holder = std::make_shared<IndexHolder>(
        [this](const std::string&) -> absl::StatusOr<std::shared_ptr<const RelatedIndex>> {
          reload_entered_.set_value();
          reload_released_.wait();
          return testing::SampleIndex();
        },
        "slow");
    holder->Install(testing::SampleIndex(), "sample");
    options.admin_token = kToken;
    StartServer(options, holder);
    reload_ = std::thread(
        [this] { reload_status_ = Reload("", std::string("Bearer ") + kToken, &reloaded_); });
    reload_entered_.get_future().wait();
  }

  // Lets the reload finish; its response is then in reloaded_.
  grpc::Status FinishReload() {
    reload_release_.set_value();
    reload_.join();
    return reload_status_;
  }

  ~ServerTest() override {
    if (reload_.joinable()) FinishReload().IgnoreError();
  }

  // Waits (at most 10 s) for a log line containing `fragment`.
  bool AwaitLogged(absl::string_view fragment) {
    for (int i = 0; i < 1000 && !Logged(fragment); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Logged(fragment);
  }

  bool Logged(absl::string_view fragment) {
    std::lock_guard<std::mutex> lock(log_mu_);
    for (const std::string& line : log_) {
      if (absl::StrContains(line, fragment)) return true;
    }
    return false;
  }

  std::mutex log_mu_;
  std::vector<std::string> log_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RelatedArticles::Stub> stub_;
  std::promise<void> reload_entered_, reload_release_;
  std::shared_future<void> reload_released_ = reload_release_.get_future().share();
  std::thread reload_;
  grpc::Status reload_status_;
  v1::ReloadIndexResponse reloaded_;
};

// An aged connection is closed by the server (so clients re-resolve and find
// new replicas); the channel notices, and the next call simply reconnects.
TEST_F(ServerTest, MaxConnectionAgeClosesConnections) {
  ServerOptions options;
  options.max_connection_age = std::chrono::milliseconds(300);
  StartServer(options);
  v1::GetRelatedResponse response;
  ASSERT_TRUE(Call(171811, 4, &response).ok());
  ASSERT_EQ(channel_->GetState(false), GRPC_CHANNEL_READY);
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
  while (channel_->GetState(false) == GRPC_CHANNEL_READY &&
         channel_->WaitForStateChange(GRPC_CHANNEL_READY, deadline)) {
  }
  EXPECT_NE(channel_->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(Call(171811, 4, &response).ok());
}

TEST_F(ServerTest, WithoutMaxConnectionAgeConnectionsStay) {
  ServerOptions options;
  options.max_connection_age = std::chrono::milliseconds(0);
  StartServer(options);
  v1::GetRelatedResponse response;
  ASSERT_TRUE(Call(171811, 4, &response).ok());
  EXPECT_FALSE(channel_->WaitForStateChange(
      GRPC_CHANNEL_READY, std::chrono::system_clock::now() + std::chrono::milliseconds(1500)));
}

TEST_F(ServerTest, GetRelatedReturnsKDistinctArticlesNotSelf) {
  StartServer();
  v1::GetRelatedResponse response;
  const grpc::Status status = Call(171811, 4, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.id(), 171811);
  EXPECT_EQ(response.snapshot().generation(), 1u);
  EXPECT_EQ(response.snapshot().checksum(), IndexChecksum(*testing::SampleIndex()));
  ASSERT_EQ(response.related_size(), 4);
  absl::flat_hash_set<int64_t> ids;
  absl::flat_hash_set<std::string> urls;
  for (const v1::RelatedArticle& r : response.related()) {
    EXPECT_NE(r.id(), 171811);
    EXPECT_TRUE(ids.insert(r.id()).second);
    EXPECT_TRUE(urls.insert(r.url()).second);
    EXPECT_FALSE(r.title().empty());
    EXPECT_GT(r.score(), 0.0f);
  }
  for (int i = 1; i < response.related_size(); ++i) {
    EXPECT_GE(response.related(i - 1).score(), response.related(i).score());
  }
}

TEST_F(ServerTest, EveryReadRpcOverTheWire) {
  StartServer();
  v1::GetRelatedRequest by_url;
  by_url.set_url("/learn/computer-science/questions/how-do-hash-tables-handle-collisions");
  v1::GetRelatedResponse related;
  ASSERT_TRUE(stub_->GetRelated(Context().get(), by_url, &related).ok());
  EXPECT_EQ(related.id(), 171830);
  EXPECT_EQ(related.related_size(), 4);

  v1::GetRelatedForTextRequest draft;
  draft.set_text("central banks raise interest rates to fight inflation");
  draft.set_k(2);
  v1::GetRelatedForTextResponse for_text;
  ASSERT_TRUE(stub_->GetRelatedForText(Context().get(), draft, &for_text).ok());
  ASSERT_EQ(for_text.related_size(), 2);
  EXPECT_EQ(for_text.related(0).subject(), "Economics");

  v1::BatchGetRelatedRequest batch;
  batch.add_ids(171811);
  batch.add_ids(-7);
  v1::BatchGetRelatedResponse batched;
  ASSERT_TRUE(stub_->BatchGetRelated(Context().get(), batch, &batched).ok());
  ASSERT_EQ(batched.items_size(), 2);
  EXPECT_EQ(batched.items(0).related_size(), 4);
  EXPECT_EQ(batched.items(1).error().code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));

  auto context = Context();
  auto reader = stub_->StreamAllRelated(context.get(), v1::StreamAllRelatedRequest());
  v1::StreamAllRelatedResponse message;
  std::vector<int64_t> ids;
  while (reader->Read(&message)) ids.push_back(message.id());
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(ids.size(), 53u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));

  v1::GetIndexInfoResponse info;
  ASSERT_TRUE(stub_->GetIndexInfo(Context().get(), {}, &info).ok());
  EXPECT_EQ(info.article_count(), 53);
  EXPECT_EQ(info.source(), kSample);
  EXPECT_EQ(info.limits().max_k(), 100);
}

TEST_F(ServerTest, StatusCodes) {
  ServerOptions options;
  options.limits = ServiceLimits{.max_k = 10, .max_batch = 3, .max_request_bytes = 4096};
  StartServer(options);
  v1::GetRelatedResponse response;
  grpc::Status s = Call(999999999, 4, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("id: no article with id 999999999"));

  s = Call(171811, -1, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("k:"));

  v1::GetRelatedRequest bad_option;
  bad_option.set_id(171811);
  bad_option.mutable_options()->set_mmr_lambda(-1);
  s = stub_->GetRelated(Context().get(), bad_option, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("options.mmr_lambda"));

  s = Call(171811, 11, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("k: at most 10"));

  v1::BatchGetRelatedRequest batch;
  for (int64_t id : {171811, 171812, 171813, 171814}) batch.add_ids(id);
  v1::BatchGetRelatedResponse batched;
  s = stub_->BatchGetRelated(Context().get(), batch, &batched);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("ids: at most 3"));

  v1::GetRelatedForTextRequest huge;
  huge.set_text(std::string(8192, 'a'));
  v1::GetRelatedForTextResponse for_text;
  s = stub_->GetRelatedForText(Context().get(), huge, &for_text);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(ServerTest, TinyDeadlineOnTheStreamIsDeadlineExceeded) {
  StartServer();
  v1::StreamAllRelatedRequest request;
  request.set_k(100);
  request.mutable_options()->set_explain_terms(50);
  auto context = Context(std::chrono::milliseconds(1));
  auto reader = stub_->StreamAllRelated(context.get(), request);
  v1::StreamAllRelatedResponse message;
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(ServerTest, HealthFlipsToServingAfterTheFirstLoad) {
  auto holder = std::make_shared<IndexHolder>(
      [](const std::string& dir) { return LoadIndexFromCorpus(dir); }, kSample);
  StartServer({}, holder);
  EXPECT_EQ(testing::CheckHealth(channel_), testing::Health::kNotServing);
  v1::GetRelatedResponse response;
  EXPECT_EQ(Call(171811, 4, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(server_->Reload().ok());
  EXPECT_EQ(testing::CheckHealth(channel_), testing::Health::kServing);
  EXPECT_TRUE(Call(171811, 4, &response).ok());
  EXPECT_TRUE(Logged("event=ready"));
  EXPECT_TRUE(Logged("articles=53"));
}

TEST_F(ServerTest, ReflectionListsTheService) {
  StartServer();
  // grpc.reflection.v1alpha.ServerReflectionRequest{list_services: ""}, by hand.
  grpc::GenericStub stub(channel_);
  auto context = Context();
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(context.get(),
                          "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  const std::string list_services("\x3a\x00", 2);
  grpc::Slice slice(list_services);
  call->WriteLast(grpc::ByteBuffer(&slice, 1), grpc::WriteOptions(), reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer reply;
  call->Read(&reply, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_THAT(bytes, HasSubstr("seealso.v1.RelatedArticles"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
}

TEST_F(ServerTest, ReloadUnderConcurrentCallsFailsNoCall) {
  ServerOptions options;
  options.admin_token = kToken;
  StartServer(options);
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  auto hammer = [&](int64_t id) {
    uint64_t last_generation = 0;
    while (!stop) {
      v1::GetRelatedResponse response;
      const grpc::Status s = Call(id, 4, &response);
      ++calls;
      if (!s.ok() || response.related_size() != 4 ||
          response.snapshot().generation() < last_generation) {
        ++failures;
      }
      last_generation = response.snapshot().generation();
    }
  };
  std::vector<std::thread> clients;
  for (int64_t id : {171811, 171830, 171852}) clients.emplace_back(hammer, id);
  constexpr int kReloads = 6;
  for (int i = 0; i < kReloads; ++i) {
    v1::ReloadIndexResponse response;
    const grpc::Status s = Reload("", std::string("Bearer ") + kToken, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.snapshot().generation(), static_cast<uint64_t>(i + 2));
    EXPECT_EQ(response.article_count(), 53);
  }
  stop = true;
  for (std::thread& t : clients) t.join();
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ServingGeneration(), kReloads + 1u);
  EXPECT_TRUE(Logged("event=reload"));
}

TEST_F(ServerTest, CorruptReloadKeepsTheOldSnapshot) {
  ServerOptions options;
  options.admin_token = kToken;
  options.metrics_listen = "127.0.0.1:0";
  StartServer(options);
  // Two files with one id: the loader refuses the whole directory.
  const testing::ScratchDir scratch("seealso-corrupt-reload");
  const fs::path& dir = scratch.path();
  const fs::path article = fs::path(kSample) / "how-do-hash-tables-handle-collisions.md";
  fs::copy_file(article, dir / "a.md");
  fs::copy_file(article, dir / "b.md");
  const std::string bearer = std::string("Bearer ") + kToken;
  v1::ReloadIndexResponse response;
  grpc::Status s = Reload(dir.string(), bearer, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("a.md"));
  s = Reload((dir / "missing").string(), bearer, &response);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(ServingGeneration(), 1u);
  v1::GetRelatedResponse related;
  EXPECT_TRUE(Call(171811, 4, &related).ok());
  EXPECT_EQ(related.snapshot().generation(), 1u);
  EXPECT_EQ(testing::CheckHealth(channel_), testing::Health::kServing);
  EXPECT_TRUE(Logged("event=reload_failed"));
  EXPECT_TRUE(Logged("serving_generation=1"));
  EXPECT_THAT(HttpGet(server_->metrics_port(), "/metrics"),
              HasSubstr("seealso_index_reloads_total{result=\"error\"} 2"));
}

TEST_F(ServerTest, AdminRpcNeedsTheTokenOrTheAdminPort) {
  StartServer();
  v1::ReloadIndexResponse response;
  grpc::Status s = Reload("", "", &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("admin RPCs are disabled"));
  server_.reset();

  ServerOptions options;
  options.admin_token = kToken;
  options.admin_listen = "127.0.0.1:0";
  StartServer(options);
  for (const char* wrong : {"", "Bearer wrong", "Bearer s3cret-token-and-more", "s3cret-token"}) {
    s = Reload("", wrong, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << wrong;
    EXPECT_THAT(s.error_message(), HasSubstr("authorization:"));
  }
  EXPECT_EQ(ServingGeneration(), 1u);
  EXPECT_TRUE(Reload("", std::string("Bearer ") + kToken, &response).ok());
  EXPECT_EQ(response.snapshot().generation(), 2u);
  // The admin port needs no token.
  ASSERT_GT(server_->admin_port(), 0);
  auto admin = v1::RelatedArticles::NewStub(Channel(server_->admin_port()));
  s = Reload("", "", &response, admin.get());
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.snapshot().generation(), 3u);
}

TEST_F(ServerTest, AdminPortMustBeLoopback) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.admin_listen = "0.0.0.0:0";
  auto server = Server::Start(std::make_shared<RelatedService>(testing::SampleHolder()), options,
                              [](const std::string&) {});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("admin_listen"));
}

TEST_F(ServerTest, MetricsEndpointServesCallsAndIndexGauges) {
  ServerOptions options;
  options.metrics_listen = "127.0.0.1:0";
  StartServer(options);
  ASSERT_GT(server_->metrics_port(), 0);
  v1::GetRelatedResponse response;
  ASSERT_TRUE(Call(171811, 4, &response).ok());
  ASSERT_TRUE(Call(171811, 4, &response).ok());
  ASSERT_FALSE(Call(1, 4, &response).ok());
  const std::string page = HttpGet(server_->metrics_port(), "/metrics");
  EXPECT_THAT(page, HasSubstr("200 OK"));
  EXPECT_THAT(page, HasSubstr("seealso_grpc_requests_total{code=\"OK\",method=\"seealso.v1."
                              "RelatedArticles/GetRelated\"} 2"));
  EXPECT_THAT(page, HasSubstr("seealso_grpc_requests_total{code=\"NOT_FOUND\",method=\"seealso."
                              "v1.RelatedArticles/GetRelated\"} 1"));
  EXPECT_THAT(page, HasSubstr("seealso_grpc_request_duration_seconds_count{method=\"seealso.v1."
                              "RelatedArticles/GetRelated\"} 3"));
  EXPECT_THAT(page, HasSubstr("seealso_index_articles 53"));
  EXPECT_THAT(page, HasSubstr("seealso_index_generation 1"));
  // Other services' calls are counted by the interceptor.
  ASSERT_EQ(testing::CheckHealth(channel_), testing::Health::kServing);
  EXPECT_THAT(HttpGet(server_->metrics_port(), "/metrics"),
              HasSubstr("seealso_grpc_requests_total{code=\"OK\",method=\"grpc.health.v1.Health/"
                        "Check\"} 1"));
}

// The stream runs on a pool thread that waits for each write: a client going
// away mid-stream must end the call (CANCELLED, counted), not strand it, or
// shutdown would wait for it.
TEST_F(ServerTest, StreamCancelledByTheClientEndsTheCall) {
  ServerOptions options;
  options.metrics_listen = "127.0.0.1:0";
  options.shutdown_drain = std::chrono::milliseconds(0);
  options.shutdown_grace = std::chrono::seconds(60);
  StartServer(options);
  v1::StreamAllRelatedRequest request;
  request.set_k(100);
  request.mutable_options()->set_explain_terms(50);
  auto context = Context();
  auto reader = stub_->StreamAllRelated(context.get(), request);
  v1::StreamAllRelatedResponse message;
  ASSERT_TRUE(reader->Read(&message));
  context->TryCancel();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  const std::string counted =
      "seealso_grpc_requests_total{code=\"CANCELLED\",method=\"seealso.v1.RelatedArticles/"
      "StreamAllRelated\"} 1";
  for (int i = 0; i < 500 && !absl::StrContains(HttpGet(server_->metrics_port(), "/metrics"), counted);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(HttpGet(server_->metrics_port(), "/metrics"), HasSubstr(counted));
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(ServerTest, ShutdownDrainsInFlightCallsAndRefusesNewOnes) {
  ServerOptions options;
  options.shutdown_drain = std::chrono::milliseconds(200);
  options.shutdown_grace = std::chrono::seconds(60);
  StartServerWithReloadInFlight(options);
  std::thread stopper([&] { server_->Shutdown(); });
  // Once shutdown has begun, new calls are refused while the old one runs.
  grpc::StatusCode code = grpc::StatusCode::OK;
  for (int i = 0; i < 200 && code != grpc::StatusCode::UNAVAILABLE; ++i) {
    v1::GetRelatedResponse response;
    code = Call(171811, 4, &response).error_code();
    if (code != grpc::StatusCode::UNAVAILABLE) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);
  // The old one is still running once the listeners have closed, and finishes.
  EXPECT_TRUE(AwaitLogged("event=shutdown phase=closing"));
  const grpc::Status in_flight = FinishReload();
  stopper.join();
  server_->Wait();
  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
  EXPECT_EQ(reloaded_.snapshot().generation(), 2u);
  EXPECT_TRUE(Logged("event=shutdown phase=draining"));
  EXPECT_TRUE(Logged("event=shutdown phase=stopped"));
}

TEST_F(ServerTest, DrainAnswersNotServingAndUnavailableWhileStillListening) {
  ServerOptions options;
  options.shutdown_drain = std::chrono::seconds(3);
  StartServer(options);
  ASSERT_EQ(testing::CheckHealth(channel_), testing::Health::kServing);
  std::thread stopper([&] { server_->Shutdown(); });
  EXPECT_TRUE(AwaitLogged("event=shutdown phase=draining"));
  // The listener is still open: a new connection is accepted, and the
  // refusal comes from the server itself, not from a failed connect.
  EXPECT_EQ(testing::CheckHealth(Channel(server_->port())), testing::Health::kNotServing);
  auto fresh = v1::RelatedArticles::NewStub(Channel(server_->port()));
  v1::GetRelatedRequest request;
  request.set_id(171811);
  v1::GetRelatedResponse response;
  const grpc::Status refused = fresh->GetRelated(Context().get(), request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(refused.error_message(), "server is shutting down");
  EXPECT_FALSE(Logged("event=shutdown phase=closing"));
  stopper.join();
  EXPECT_TRUE(Logged("event=shutdown phase=draining drain_ms=3000 grace_ms=5000"));
  EXPECT_TRUE(Logged("event=shutdown phase=closing"));
  EXPECT_TRUE(Logged("event=shutdown phase=stopped"));
}

// Issue #6: gRPC answers CANCELLED to a call that reaches it after its own
// shutdown began. Callers hammering the server through the whole shutdown must
// only ever see UNAVAILABLE (which clients retry), and a call in flight
// across the close must still finish OK.
TEST_F(ServerTest, CallsRacingShutdownGetUnavailableNeverCancelled) {
  ServerOptions options;
  options.shutdown_drain = std::chrono::milliseconds(300);
  options.shutdown_grace = std::chrono::seconds(60);
  StartServerWithReloadInFlight(options);

  // Eight callers on four connections (two threads share each), back to back.
  std::atomic<bool> stop{false};
  std::atomic<int> ok_calls{0};
  std::mutex mu;
  std::map<grpc::StatusCode, int> failed;
  int refused_by_server = 0;
  std::vector<std::string> unexpected;
  auto call_until_stopped = [&](std::shared_ptr<grpc::Channel> channel) {
    auto stub = v1::RelatedArticles::NewStub(channel);
    while (!stop) {
      v1::GetRelatedRequest request;
      request.set_id(171811);
      request.set_k(4);
      v1::GetRelatedResponse response;
      const grpc::Status s =
          stub->GetRelated(Context(std::chrono::seconds(10)).get(), request, &response);
      if (s.ok() && response.related_size() == 4) {
        ++ok_calls;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu);
      ++failed[s.error_code()];
      refused_by_server += s.error_message() == "server is shutting down";
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE) {
        unexpected.push_back(std::to_string(s.error_code()) + " " + s.error_message());
      }
    }
  };
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    // A distinct channel argument gives each channel its own connection.
    grpc::ChannelArguments args;
    args.SetInt("seealso.test.connection", c);
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_->port()),
                                             grpc::InsecureChannelCredentials(), args);
    for (int t = 0; t < 2; ++t) callers.emplace_back(call_until_stopped, channel);
  }
  for (int i = 0; i < 1000 && ok_calls < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(ok_calls.load(), 200);

  std::thread stopper([&] { server_->Shutdown(); });
  // The reload stays in flight until the listeners have closed.
  EXPECT_TRUE(AwaitLogged("event=shutdown phase=closing"));
  const grpc::Status in_flight = FinishReload();
  stopper.join();
  server_->Wait();
  stop = true;
  for (std::thread& t : callers) t.join();

  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
  EXPECT_EQ(reloaded_.snapshot().generation(), 2u);
  EXPECT_THAT(unexpected, ::testing::IsEmpty());
  EXPECT_GT(failed[grpc::StatusCode::UNAVAILABLE], 0);
  EXPECT_GT(refused_by_server, 0) << "no call arrived during the drain";
}

}  // namespace
}  // namespace seealso
