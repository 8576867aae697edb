#include "service/server.h"

#include <algorithm>
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
CallCheck CheckFor(grpc::ServerContext* context) {
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

class Server::Adapter final : public v1::RelatedArticles::Service {
 public:
  // `admin_port`: calls arriving here may use admin RPCs without the token.
  Adapter(Server* server, bool admin_port) : server_(server), admin_port_(admin_port) {}

  grpc::Status GetRelated(grpc::ServerContext*, const v1::GetRelatedRequest* request,
                          v1::GetRelatedResponse* response) override {
    return Serve([&] { return service().GetRelated(*request, response); });
  }

  grpc::Status GetRelatedForText(grpc::ServerContext*, const v1::GetRelatedForTextRequest* request,
                                 v1::GetRelatedForTextResponse* response) override {
    return Serve([&] { return service().GetRelatedForText(*request, response); });
  }

  grpc::Status BatchGetRelated(grpc::ServerContext* context,
                               const v1::BatchGetRelatedRequest* request,
                               v1::BatchGetRelatedResponse* response) override {
    return Serve([&] { return service().BatchGetRelated(*request, response, CheckFor(context)); });
  }

  grpc::Status StreamAllRelated(
      grpc::ServerContext* context, const v1::StreamAllRelatedRequest* request,
      grpc::ServerWriter<v1::StreamAllRelatedResponse>* writer) override {
    return Serve([&] {
      return service().StreamAllRelated(
          *request, [writer](const v1::StreamAllRelatedResponse& m) { return writer->Write(m); },
          CheckFor(context));
    });
  }

  grpc::Status GetIndexInfo(grpc::ServerContext*, const v1::GetIndexInfoRequest* request,
                            v1::GetIndexInfoResponse* response) override {
    return Serve([&] { return service().GetIndexInfo(*request, response); });
  }

  grpc::Status ReloadIndex(grpc::ServerContext* context, const v1::ReloadIndexRequest* request,
                           v1::ReloadIndexResponse* response) override {
    return Serve([&] {
      if (absl::Status s = Authorize(*context); !s.ok()) return s;
      absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = server_->Reload(request->source());
      if (!snapshot.ok()) return snapshot.status();
      ToProto((*snapshot)->version, response->mutable_snapshot());
      response->set_article_count((*snapshot)->index->size());
      response->set_build_seconds((*snapshot)->build_seconds);
      return absl::OkStatus();
    });
  }

 private:
  const RelatedService& service() const { return *server_->service_; }

  // Runs `call` unless the server is shutting down: then UNAVAILABLE, which
  // clients retry on another replica.
  template <typename Call>
  grpc::Status Serve(const Call& call) {
    if (absl::Status s = server_->Admit(); !s.ok()) return ToGrpc(s);
    return ToGrpc(call());
  }

  absl::Status Authorize(const grpc::ServerContext& context) const {
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
    factories.push_back(server->metrics_->InterceptorFactory());
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
  log_(LogLine("info", first ? "ready" : "reload",
               {{"listen", listen_},
                {"source", s.source},
                {"articles", std::to_string(s.index->size())},
                {"terms", std::to_string(s.index->embeddings().terms().size())},
                {"generation", std::to_string(s.version.generation)},
                {"checksum", s.version.checksum},
                {"build_seconds", absl::StrFormat("%.3f", s.build_seconds)}}));
  return snapshot;
}

void Server::SetPhase(Phase phase) {
  {
    std::lock_guard<std::mutex> lock(phase_mu_);
    phase_ = phase;
  }
  phase_cv_.notify_all();
}

absl::Status Server::Admit() {
  if (phase_.load() == Phase::kServing) return absl::OkStatus();
  std::unique_lock<std::mutex> lock(phase_mu_);
  // Each held call keeps a thread of the sync server: bound them.
  constexpr int kMaxHeld = 512;
  if (phase_ == Phase::kHolding && held_ < kMaxHeld) {
    ++held_;
    phase_cv_.wait(lock, [this] { return phase_ != Phase::kHolding; });
    --held_;
  }
  return absl::UnavailableError("server is shutting down");
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
  // shutdown (close the listeners, send GOAWAY) directly, release them, then
  // let it drain (gRPC allows starting its shutdown twice).
  grpc_completion_queue* closed = grpc_completion_queue_create_for_next(nullptr);
  for (grpc::Server* s : {server_.get(), admin_server_.get()}) {
    if (s != nullptr) grpc_server_shutdown_and_notify(s->c_server(), closed, s);
  }
  SetPhase(Phase::kClosing);
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
