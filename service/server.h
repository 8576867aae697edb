// The gRPC server: a thin adapter from seealso.v1.RelatedArticles onto
// RelatedService, plus the standard health and reflection services.
#ifndef SEEALSO_SERVICE_SERVER_H_
#define SEEALSO_SERVICE_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/related_service.h"

namespace grpc {
class Server;
}

namespace seealso {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:50051";
};

class Server {
 public:
  // Binds and starts serving `service`; health reports SERVING once this returns.
  static absl::StatusOr<std::unique_ptr<Server>> Start(std::shared_ptr<const RelatedService> service,
                                                       const ServerOptions& options);
  ~Server();

  // The bound port (useful when asked for port 0).
  int port() const { return port_; }

  // Stops accepting calls, lets in-flight calls finish for up to `grace`, then
  // cancels the rest. Safe to call once from any thread.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Blocks until the server has shut down.
  void Wait();

 private:
  class Adapter;
  Server() = default;

  std::unique_ptr<Adapter> adapter_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace seealso

#endif  // SEEALSO_SERVICE_SERVER_H_
