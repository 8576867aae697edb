// The gRPC server: a thin adapter from seealso.v1.RelatedArticles onto
// RelatedService, plus the standard health and reflection services, TLS,
// admin authorisation, metrics, hot reload and graceful shutdown.
#ifndef SEEALSO_SERVICE_SERVER_H_
#define SEEALSO_SERVICE_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/related_service.h"
#include "service/server_options.h"

namespace grpc {
class Server;
}

namespace seealso {

class Server {
 public:
  // Binds every configured listener and starts serving `service`. Health
  // reports SERVING only while the service's holder has an index: at once if
  // it already has one, else after the first successful Reload(). Fails
  // (INVALID_ARGUMENT naming the option) on bad TLS files or a non-loopback
  // admin_listen; UNAVAILABLE if a port cannot be bound. Log lines go to `log`.
  static absl::StatusOr<std::unique_ptr<Server>> Start(std::shared_ptr<RelatedService> service,
                                                       const ServerOptions& options,
                                                       LogSink log = LogToStderr);
  ~Server();

  // The bound ports (useful when asked for port 0); 0 when not configured.
  int port() const { return port_; }
  int admin_port() const { return admin_port_; }
  int metrics_port() const { return metrics_->port(); }
  Metrics& metrics() { return *metrics_; }

  // Loads `source` ("" = the configured one) beside the serving index and
  // swaps it in; a failure leaves the old one serving. Either way it is
  // logged and counted. What SIGHUP and the ReloadIndex RPC do.
  absl::StatusOr<std::shared_ptr<const Snapshot>> Reload(const std::string& source = "");

  // Health goes NOT_SERVING and new calls get UNAVAILABLE for
  // options.shutdown_drain; then the listeners close (GOAWAY) and in-flight
  // calls have options.shutdown_grace to finish before being cancelled.
  // Blocks until then. Idempotent; safe from any thread.
  void Shutdown();
  // Blocks until the server has shut down.
  void Wait();

 private:
  class Adapter;
  // Where Shutdown() is; every call asks Admit() first.
  enum class Phase { kServing, kRefusing, kHolding, kClosing };

  Server() = default;
  void SetServing(bool serving);
  void SetPhase(Phase phase);
  // OK while serving; UNAVAILABLE once Shutdown() began, after waiting for
  // the listeners to close if it is holding calls (at most 512; see Shutdown()).
  absl::Status Admit();

  std::shared_ptr<RelatedService> service_;
  ServerOptions options_;
  LogSink log_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Adapter> adapter_;
  std::unique_ptr<Adapter> admin_adapter_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> admin_server_;
  int port_ = 0;
  int admin_port_ = 0;
  // host:port actually bound, for log lines.
  std::string listen_;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;
  // Written under phase_mu_; read without it on every call's fast path.
  std::atomic<Phase> phase_{Phase::kServing};
  std::mutex phase_mu_;
  std::condition_variable phase_cv_;
  int held_ = 0;  // calls waiting in Admit(); guarded by phase_mu_
};

}  // namespace seealso

#endif  // SEEALSO_SERVICE_SERVER_H_
