// The gRPC server: a thin adapter from seealso.v1.RelatedArticles onto
// RelatedService (on gRPC's callback API: no thread hand-off per call), plus
// the standard health and reflection services, TLS, admin authorisation,
// metrics, hot reload and graceful shutdown.
#ifndef SEEALSO_SERVICE_SERVER_H_
#define SEEALSO_SERVICE_SERVER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/related_service.h"
#include "service/server_options.h"

namespace grpc {
class Server;
class Status;
}  // namespace grpc

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
  // options.shutdown_drain (the calls of its last 200 ms are held and get
  // UNAVAILABLE once the listeners closed; see server.cc); then the listeners
  // close (GOAWAY) and in-flight calls have options.shutdown_grace to finish
  // before being cancelled. Blocks until then. Idempotent; safe from any thread.
  void Shutdown();
  // Blocks until the server has shut down.
  void Wait();

 private:
  class Adapter;
  class BlockingPool;
  // Where Shutdown() is; every call asks Admitted() first.
  enum class Phase { kServing, kRefusing, kHolding, kClosing };
  // Finishes a call that was not admitted with the status given.
  using Refusal = std::function<void(const grpc::Status&)>;

  Server();
  void SetServing(bool serving);
  // Returns the calls held so far, to be finished by the caller.
  std::vector<Refusal> SetPhase(Phase phase);
  // Whether a new call may run: only while serving (one atomic load).
  bool Admitted() const { return phase_.load(std::memory_order_acquire) == Phase::kServing; }
  // For a call that was not admitted: `finish` gets UNAVAILABLE now, or, while
  // Shutdown() is holding calls, once the listeners have closed (at most
  // kMaxHeld calls are held; no thread waits for them).
  void Refuse(Refusal finish);

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
  std::vector<Refusal> held_;  // guarded by phase_mu_
  // Runs the calls that may block or take long; declared last so that its
  // threads are joined before anything they use is destroyed.
  std::unique_ptr<BlockingPool> blocking_;
};

}  // namespace seealso

#endif  // SEEALSO_SERVICE_SERVER_H_
