#include "service/server.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpc/grpc.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "seealso/v1/related.grpc.pb.h"

namespace seealso {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// Stops long calls once the caller's deadline passed or it cancelled.
CallCheck CheckFor(grpc::CallbackServerContext* context) {
  return [context] {
    if (std::chrono::system_clock::now() > context->deadline()) {
      return absl::DeadlineExceededError("deadline exceeded");
    }
    if (context->IsCancelled()) return absl::CancelledError("cancelled by the client");
    return absl::OkStatus();
  };
}

// Runs in time independent of where the strings differ, so the token cannot
// be guessed byte by byte from response times.
bool ConstantTimeEquals(absl::string_view given, absl::string_view expected) {
  volatile unsigned char diff = given.size() != expected.size();
  for (size_t i = 0; i < given.size(); ++i) {
    const unsigned char e = i < expected.size() ? expected[i] : 0;
    diff = diff | (static_cast<unsigned char>(given[i]) ^ e);
  }
  return diff == 0;
}

absl::StatusOr<std::string> ReadPem(absl::string_view option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(option, ": cannot read ", path));
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& o) {
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return absl::InvalidArgumentError("tls_cert_file, tls_key_file: set both or neither");
  }
  if (o.tls_cert_file.empty()) {
    if (!o.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("tls_client_ca_file: needs tls_cert_file and tls_key_file");
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl;
  absl::StatusOr<std::string> cert = ReadPem("tls_cert_file", o.tls_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem("tls_key_file", o.tls_key_file);
  if (!key.ok()) return key.status();
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!o.tls_client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPem("tls_client_ca_file", o.tls_client_ca_file);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

bool IsLoopback(absl::string_view listen) {
  const absl::string_view host = listen.substr(0, listen.rfind(':'));
  return host == "localhost" || host == "[::1]" || absl::StartsWith(host, "127.");
}

}  // namespace

// Threads for the calls that may block or run long (batches, streams,
// reloads): a callback handler runs on one of gRPC's few threads and must not
// block it. Grows to the most such calls at once, as the sync server's pool
// did; idle threads wait for the next one.
class Server::BlockingPool {
 public:
  ~BlockingPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  void Run(std::function<void()> work) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(work));
    if (queue_.size() > idle_) {
      threads_.emplace_back([this] { Loop(); });
    } else {
      cv_.notify_one();
    }
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      ++idle_;
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      --idle_;
      if (queue_.empty()) return;
      std::function<void()> work = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      work();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stop_ = false;
};

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const grpc::Status& ShuttingDown() {
  static const auto* const kStatus =
      new grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down");
  return *kStatus;
}

// StreamAllRelated over gRPC's callback API, for RelatedService's blocking
// writer: Write() runs on a pool thread and waits for each message to be
// sent, so the stream keeps gRPC's flow control and never buffers more than
// one message.
class StreamReactor final : public grpc::ServerWriteReactor<v1::StreamAllRelatedResponse> {
 public:
  // False once the call is cancelled or broken.
  bool Write(const v1::StreamAllRelatedResponse& message) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = true;
    }
    // Not under mu_: OnWriteDone may run before StartWrite returns.
    StartWrite(&message);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !writing_; });
    return write_ok_;
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      write_ok_ = ok;
    }
    cv_.notify_one();
  }

  void OnDone() override { delete this; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool writing_ = false;
  bool write_ok_ = false;
};

}  // namespace

// Every call is timed and counted here (the metrics interceptor skips this
// service: it costs an allocation and label lookups per call) and asks
// Admitted() first. Cheap calls (single lookups and rankings, index info) run
// inline on the gRPC thread that received them, with no hand-off; calls that
// may block or run long go to the blocking pool.
class Server::Adapter final : public v1::RelatedArticles::CallbackService {
 public:
  // `admin_port`: calls arriving here may use admin RPCs without the token.
  Adapter(Server* server, bool admin_port)
      : server_(server),
        admin_port_(admin_port),
        get_related_(Series("GetRelated")),
        get_related_for_text_(Series("GetRelatedForText")),
        batch_get_related_(Series("BatchGetRelated")),
        stream_all_related_(Series("StreamAllRelated")),
        get_index_info_(Series("GetIndexInfo")),
        reload_index_(Series("ReloadIndex")) {}

  grpc::ServerUnaryReactor* GetRelated(grpc::CallbackServerContext* context,
                                       const v1::GetRelatedRequest* request,
                                       v1::GetRelatedResponse* response) override {
    return Inline(context, get_related_,
                  [&] { return service().GetRelated(*request, response); });
  }

  grpc::ServerUnaryReactor* GetRelatedForText(grpc::CallbackServerContext* context,
                                              const v1::GetRelatedForTextRequest* request,
                                              v1::GetRelatedForTextResponse* response) override {
    return Inline(context, get_related_for_text_,
                  [&] { return service().GetRelatedForText(*request, response); });
  }

  grpc::ServerUnaryReactor* GetIndexInfo(grpc::CallbackServerContext* context,
                                         const v1::GetIndexInfoRequest* request,
                                         v1::GetIndexInfoResponse* response) override {
    return Inline(context, get_index_info_,
                  [&] { return service().GetIndexInfo(*request, response); });
  }

  grpc::ServerUnaryReactor* BatchGetRelated(grpc::CallbackServerContext* context,
                                            const v1::BatchGetRelatedRequest* request,
                                            v1::BatchGetRelatedResponse* response) override {
    return Blocking(context, batch_get_related_, [this, context, request, response] {
      return service().BatchGetRelated(*request, response, CheckFor(context));
    });
  }

  grpc::ServerUnaryReactor* ReloadIndex(grpc::CallbackServerContext* context,
                                        const v1::ReloadIndexRequest* request,
                                        v1::ReloadIndexResponse* response) override {
    return Blocking(context, reload_index_, [this, context, request, response] {
      if (absl::Status s = Authorize(*context); !s.ok()) return s;
      absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = server_->Reload(request->source());
      if (!snapshot.ok()) return snapshot.status();
      ToProto((*snapshot)->version, response->mutable_snapshot());
      response->set_article_count((*snapshot)->index->size());
      response->set_build_seconds((*snapshot)->build_seconds);
      return absl::OkStatus();
    });
  }

  grpc::ServerWriteReactor<v1::StreamAllRelatedResponse>* StreamAllRelated(
      grpc::CallbackServerContext* context, const v1::StreamAllRelatedRequest* request) override {
    const Clock::time_point start = Clock::now();
    auto* reactor = new StreamReactor();
    Metrics::MethodSeries* series = &stream_all_related_;
    auto finish = [reactor, series, start](const grpc::Status& status) {
      series->Observe(status.error_code(), SecondsSince(start));
      reactor->Finish(status);
    };
    if (!server_->Admitted()) {
      server_->Refuse(finish);
      return reactor;
    }
    server_->blocking_->Run([this, context, request, reactor, finish] {
      finish(ToGrpc(service().StreamAllRelated(
          *request, [reactor](const v1::StreamAllRelatedResponse& m) { return reactor->Write(m); },
          CheckFor(context))));
    });
    return reactor;
  }

 private:
  const RelatedService& service() const { return *server_->service_; }

  Metrics::MethodSeries& Series(absl::string_view method) {
    return server_->metrics_->Method(absl::StrCat("seealso.v1.RelatedArticles/", method));
  }

  static void Finish(grpc::ServerUnaryReactor* reactor, Metrics::MethodSeries& series,
                     Clock::time_point start, const grpc::Status& status) {
    series.Observe(status.error_code(), SecondsSince(start));
    reactor->Finish(status);
  }

  // Refuses the call unless the server is serving: UNAVAILABLE, which
  // clients retry on another replica. True if it was refused.
  bool Refused(grpc::ServerUnaryReactor* reactor, Metrics::MethodSeries& series,
               Clock::time_point start) {
    if (server_->Admitted()) return false;
    server_->Refuse([reactor, &series, start](const grpc::Status& status) {
      Finish(reactor, series, start, status);
    });
    return true;
  }

  // Runs `call` on this thread.
  template <typename Call>
  grpc::ServerUnaryReactor* Inline(grpc::CallbackServerContext* context,
                                   Metrics::MethodSeries& series, const Call& call) {
    const Clock::time_point start = Clock::now();
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (!Refused(reactor, series, start)) Finish(reactor, series, start, ToGrpc(call()));
    return reactor;
  }

  // Runs `call` on the blocking pool; the call's objects live until Finish.
  template <typename Call>
  grpc::ServerUnaryReactor* Blocking(grpc::CallbackServerContext* context,
                                     Metrics::MethodSeries& series, Call call) {
    const Clock::time_point start = Clock::now();
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (!Refused(reactor, series, start)) {
      server_->blocking_->Run([reactor, &series, start, call = std::move(call)] {
        Finish(reactor, series, start, ToGrpc(call()));
      });
    }
    return reactor;
  }

  absl::Status Authorize(const grpc::CallbackServerContext& context) const {
    const std::string& token = server_->options_.admin_token;
    if (admin_port_) return absl::OkStatus();
    if (token.empty()) {
      return absl::PermissionDeniedError(
          "admin RPCs are disabled: configure an admin token or an admin port");
    }
    const auto& md = context.client_metadata();
    const auto it = md.find("authorization");
    const absl::string_view given =
        it == md.end() ? absl::string_view() : absl::string_view(it->second.data(), it->second.size());
    if (!ConstantTimeEquals(given, absl::StrCat("Bearer ", token))) {
      return absl::UnauthenticatedError(
          "authorization: missing or wrong admin token (expected 'Bearer <token>')");
    }
    return absl::OkStatus();
  }

  Server* server_;
  bool admin_port_;
  Metrics::MethodSeries& get_related_;
  Metrics::MethodSeries& get_related_for_text_;
  Metrics::MethodSeries& batch_get_related_;
  Metrics::MethodSeries& stream_all_related_;
  Metrics::MethodSeries& get_index_info_;
  Metrics::MethodSeries& reload_index_;
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(std::shared_ptr<RelatedService> service,
                                                      const ServerOptions& options, LogSink log) {
  if (!options.admin_listen.empty() && !IsLoopback(options.admin_listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "admin_listen: must be a loopback address (127.x, localhost, [::1]), got ",
        options.admin_listen));
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<Server> server(new Server());
  server->blocking_ = std::make_unique<BlockingPool>();
  server->service_ = std::move(service);
  server->options_ = options;
  server->log_ = std::move(log);
  server->metrics_ = std::make_unique<Metrics>();
  if (!options.metrics_listen.empty()) {
    if (absl::Status s = server->metrics_->Serve(options.metrics_listen); !s.ok()) return s;
  }

  auto build = [&](const std::string& listen, Adapter* adapter,
                   int* port) -> absl::StatusOr<std::unique_ptr<grpc::Server>> {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(listen, *credentials, port);
    builder.SetMaxReceiveMessageSize(options.limits.max_request_bytes);
    if (options.max_connection_age.count() > 0) {
      builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                                 static_cast<int>(options.max_connection_age.count()));
      // Calls already running on an aged connection get this long to finish.
      builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30000);
    }
    builder.RegisterService(adapter);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    // The adapter counts its own calls; this counts health and reflection.
    factories.push_back(server->metrics_->InterceptorFactory("/seealso.v1.RelatedArticles/"));
    builder.experimental().SetInterceptorCreators(std::move(factories));
    std::unique_ptr<grpc::Server> s = builder.BuildAndStart();
    if (s == nullptr || *port == 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
    }
    return s;
  };
  server->adapter_ = std::make_unique<Adapter>(server.get(), /*admin_port=*/false);
  auto main = build(options.listen, server->adapter_.get(), &server->port_);
  if (!main.ok()) return main.status();
  server->server_ = *std::move(main);
  if (!options.admin_listen.empty()) {
    server->admin_adapter_ = std::make_unique<Adapter>(server.get(), /*admin_port=*/true);
    auto admin = build(options.admin_listen, server->admin_adapter_.get(), &server->admin_port_);
    if (!admin.ok()) return admin.status();
    server->admin_server_ = *std::move(admin);
  }

  const std::shared_ptr<const Snapshot> current = server->service_->holder().Current();
  if (current != nullptr) server->metrics_->SetIndex(*current);
  server->SetServing(current != nullptr);
  server->listen_ =
      options.listen.substr(0, options.listen.rfind(':') + 1) + std::to_string(server->port_);
  server->log_(LogLine(
      "info", "start",
      {{"listen", server->listen_},
       {"tls", options.tls_cert_file.empty() ? "off"
               : options.tls_client_ca_file.empty() ? "on"
                                                     : "mtls"},
       {"admin", server->admin_port_ != 0 ? absl::StrCat("port ", server->admin_port_)
                 : options.admin_token.empty() ? "disabled"
                                               : "token"},
       {"metrics_port", std::to_string(server->metrics_->port())}}));
  return server;
}

Server::Server() = default;

Server::~Server() {
  if (server_ != nullptr) {
    options_.shutdown_drain = std::chrono::milliseconds(0);
    options_.shutdown_grace = std::chrono::milliseconds(0);
    Shutdown();
    Wait();
  }
}

void Server::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
  if (admin_server_ != nullptr) admin_server_->GetHealthCheckService()->SetServingStatus(serving);
}

absl::StatusOr<std::shared_ptr<const Snapshot>> Server::Reload(const std::string& source) {
  const bool first = service_->holder().Current() == nullptr;
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = service_->holder().Reload(source);
  metrics_->ObserveReload(snapshot.ok());
  if (!snapshot.ok()) {
    const std::shared_ptr<const Snapshot> serving = service_->holder().Current();
    log_(LogLine("error", "reload_failed",
                 {{"error", std::string(snapshot.status().message())},
                  {"serving_generation",
                   serving ? std::to_string(serving->version.generation) : "none"}}));
    return snapshot;
  }
  const Snapshot& s = **snapshot;
  metrics_->SetIndex(s);
  {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    if (!shut_down_) SetServing(true);
  }
  // Lists stored for other options (e.g. built before a scoring default
  // changed) are silently bypassed by TopK: say so where operators look.
  const char* lists = !s.index->precomputed()                         ? "none"
                      : service_->DefaultRequestsUseLists(*s.index) ? "used"
                                                                    : "unused_other_options";
  log_(LogLine("info", first ? "ready" : "reload",
               {{"listen", listen_},
                {"precomputed_lists", lists},
                {"source", s.source},
                {"articles", std::to_string(s.index->size())},
                {"terms", std::to_string(s.index->embeddings().terms().size())},
                {"generation", std::to_string(s.version.generation)},
                {"checksum", s.version.checksum},
                {"build_seconds", absl::StrFormat("%.3f", s.build_seconds)}}));
  return snapshot;
}

std::vector<Server::Refusal> Server::SetPhase(Phase phase) {
  std::vector<Server::Refusal> held;
  std::lock_guard<std::mutex> lock(phase_mu_);
  phase_.store(phase, std::memory_order_release);
  held.swap(held_);
  return held;
}

void Server::Refuse(Refusal finish) {
  {
    // Held calls cost a little memory each, no thread: bound them anyway.
    constexpr size_t kMaxHeld = 4096;
    std::lock_guard<std::mutex> lock(phase_mu_);
    if (phase_ == Phase::kHolding && held_.size() < kMaxHeld) {
      held_.push_back(std::move(finish));
      return;
    }
  }
  finish(ShuttingDown());
}

void Server::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  log_(LogLine("info", "shutdown",
               {{"phase", "draining"},
                {"drain_ms", std::to_string(options_.shutdown_drain.count())},
                {"grace_ms", std::to_string(options_.shutdown_grace.count())}}));
  SetPhase(Phase::kRefusing);
  SetServing(false);
  // gRPC itself answers CANCELLED (no handler sees the call) to a call that
  // reaches it after its shutdown began but was sent before the client read
  // the GOAWAY (issue #6). So the drain's last calls are held, not refused at
  // once: a client calling back to back then has its call waiting here, not
  // on the wire, and gets UNAVAILABLE only after the GOAWAY.
  constexpr std::chrono::milliseconds kHold(200);
  const std::chrono::milliseconds hold = std::min(options_.shutdown_drain, kHold);
  std::this_thread::sleep_for(options_.shutdown_drain - hold);
  SetPhase(Phase::kHolding);
  std::this_thread::sleep_for(hold);
  // grpc::Server::Shutdown() would wait for the held calls: start gRPC's
  // shutdown (close the listeners, send GOAWAY) directly, finish them, then
  // let it drain (gRPC allows starting its shutdown twice).
  grpc_completion_queue* closed = grpc_completion_queue_create_for_next(nullptr);
  for (grpc::Server* s : {server_.get(), admin_server_.get()}) {
    if (s != nullptr) grpc_server_shutdown_and_notify(s->c_server(), closed, s);
  }
  for (const Refusal& finish : SetPhase(Phase::kClosing)) finish(ShuttingDown());
  log_(LogLine("info", "shutdown", {{"phase", "closing"}}));
  const auto deadline = std::chrono::system_clock::now() + options_.shutdown_grace;
  if (admin_server_ != nullptr) admin_server_->Shutdown(deadline);
  server_->Shutdown(deadline);
  // Waits for both servers' shutdown notifications.
  grpc_completion_queue_shutdown(closed);
  while (grpc_completion_queue_next(closed, gpr_inf_future(GPR_CLOCK_REALTIME), nullptr).type !=
         GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(closed);
  log_(LogLine("info", "shutdown", {{"phase", "stopped"}}));
}

void Server::Wait() {
  server_->Wait();
  if (admin_server_ != nullptr) admin_server_->Wait();
}

}  // namespace seealso
