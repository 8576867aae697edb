// Everything the gRPC server is configured with. Plain data: filled from
// command-line flags today (cli/serve.cc), from the YAML `server:` section later.
#ifndef SEEALSO_SERVICE_SERVER_OPTIONS_H_
#define SEEALSO_SERVICE_SERVER_OPTIONS_H_

#include <chrono>
#include <string>

#include "service/related_service.h"

namespace seealso {

struct ServerOptions {
  // host:port of the API; port 0 picks a free port (see Server::port()).
  // Loopback by default: exposing it is a deliberate choice.
  std::string listen = "127.0.0.1:50051";
  // k, batch and message-size limits (RESOURCE_EXHAUSTED beyond them).
  ServiceLimits limits;

  // TLS: PEM files. Both cert and key, or neither (plaintext). With a client
  // CA, clients must present a certificate it signed (mTLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;

  // Admin RPCs (ReloadIndex) are refused unless the call carries
  // `authorization: Bearer <admin_token>`, or arrives on `admin_listen`.
  // Both empty: admin RPCs are disabled.
  std::string admin_token;
  // host:port of a second, loopback-only listener that allows admin RPCs
  // without the token (and serves the rest of the API too). "" = none.
  std::string admin_listen;

  // host:port for Prometheus metrics over HTTP (GET /metrics). "" = off.
  std::string metrics_listen;

  // Each client connection is closed (GOAWAY, after a grace) once this old,
  // so clients re-resolve DNS and spread onto replicas added since; 0 = never.
  std::chrono::milliseconds max_connection_age{300000};

  // How long Shutdown() keeps the listeners open with health NOT_SERVING and
  // new calls answered UNAVAILABLE, so load balancers and health-checking
  // clients move to other replicas before connections are closed.
  std::chrono::milliseconds shutdown_drain{1000};

  // Then, once the listeners are closed, how long in-flight calls may finish
  // before they are cancelled.
  std::chrono::milliseconds shutdown_grace{5000};
};

}  // namespace seealso

#endif  // SEEALSO_SERVICE_SERVER_OPTIONS_H_
