#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <pthread.h>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "service/corpus_loader.h"
#include "service/server.h"

ABSL_FLAG(std::string, admin_listen, "",
          "serve: second, loopback-only host:port where admin RPCs need no token (\"\" = none)");
ABSL_FLAG(std::string, admin_token_file, "",
          "serve: file holding the admin token; ReloadIndex then needs "
          "'authorization: Bearer <token>' (\"\" = admin RPCs only on --admin_listen)");
ABSL_FLAG(std::string, metrics_listen, "",
          "serve: host:port for Prometheus GET /metrics, e.g. 127.0.0.1:9464 (\"\" = off)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "serve: CA bundle, PEM; clients must present a certificate it signed (mTLS)");
ABSL_FLAG(int, default_k, 4, "serve: k when a request leaves it 0");
ABSL_FLAG(int, max_k, 100, "serve: largest k a request may ask for");
ABSL_FLAG(int, max_batch, 1000, "serve: most ids in one BatchGetRelated");
ABSL_FLAG(int, max_request_bytes, 1 << 20, "serve: largest request message, bytes");
ABSL_FLAG(int, max_connection_age_ms, 300000,
          "serve: close each client connection after this long (clients then re-resolve and "
          "find new replicas); 0 = never");
ABSL_FLAG(int, shutdown_drain_ms, 1000,
          "serve: on SIGTERM/SIGINT, how long health says NOT_SERVING and new calls get UNAVAILABLE "
          "before the listeners close");
ABSL_FLAG(int, shutdown_grace_ms, 5000,
          "serve: then how long in-flight calls may finish before they are cancelled");

namespace seealso::cli {
namespace {

// The flag's value if it was given on the command line, else the config file's.
template <typename T>
T Setting(const absl::Flag<T>& flag, const T& from_config) {
  return GivenFlags().contains(absl::GetFlagReflectionHandle(flag).Name()) ? absl::GetFlag(flag)
                                                                            : from_config;
}

absl::StatusOr<ServerOptions> ServerOptionsFrom(const ServerSettings& file) {
  ServerOptions o;
  o.listen = Setting(FLAGS_listen, file.listen);
  o.admin_listen = Setting(FLAGS_admin_listen, file.admin_listen);
  o.metrics_listen = Setting(FLAGS_metrics_listen, file.metrics_listen);
  o.tls_cert_file = Setting(FLAGS_tls_cert, file.tls_cert);
  o.tls_key_file = Setting(FLAGS_tls_key, file.tls_key);
  o.tls_client_ca_file = Setting(FLAGS_tls_client_ca, file.tls_client_ca);
  o.limits = ServiceLimits{.default_k = Setting(FLAGS_default_k, file.default_k),
                           .max_k = Setting(FLAGS_max_k, file.max_k),
                           .max_batch = Setting(FLAGS_max_batch, file.max_batch),
                           .max_request_bytes = Setting(FLAGS_max_request_bytes, file.max_request_bytes)};
  if (o.limits.max_k < 1 || o.limits.default_k < 1 || o.limits.default_k > o.limits.max_k) {
    return absl::InvalidArgumentError("--default_k, --max_k: need 1 <= default_k <= max_k");
  }
  if (o.limits.max_batch < 1 || o.limits.max_request_bytes < 1024) {
    return absl::InvalidArgumentError("--max_batch >= 1 and --max_request_bytes >= 1024 required");
  }
  o.shutdown_drain = std::chrono::milliseconds(Setting(FLAGS_shutdown_drain_ms, file.shutdown_drain_ms));
  o.shutdown_grace = std::chrono::milliseconds(Setting(FLAGS_shutdown_grace_ms, file.shutdown_grace_ms));
  o.max_connection_age =
      std::chrono::milliseconds(Setting(FLAGS_max_connection_age_ms, file.max_connection_age_ms));
  if (const std::string path = Setting(FLAGS_admin_token_file, file.admin_token_file);
      !path.empty()) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    o.admin_token = std::string(absl::StripAsciiWhitespace(text.str()));
    if (!in || o.admin_token.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--admin_token_file: cannot read a token from ", path));
    }
  }
  return o;
}

}  // namespace

int Serve() {
  // Block the signals in every thread (gRPC's included) before any starts, so
  // that only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The first source; ReloadIndex may name another (a directory or a snapshot file).
  const std::string corpus = absl::GetFlag(FLAGS_corpus);
  const std::string snapshot = absl::GetFlag(FLAGS_index);
  if (corpus.empty() == snapshot.empty()) {
    PrintError("serve", "give one of --corpus DIR or --index FILE");
    return 2;
  }
  // Read once: a reload rebuilds the corpus under the configuration the
  // process started with.
  absl::StatusOr<Config> config = ConfigFromFlags();
  if (!config.ok()) {
    PrintError("serve", config.status().message());
    return 2;
  }
  absl::StatusOr<ServerOptions> options = ServerOptionsFrom(config->server);
  if (!options.ok()) {
    PrintError("serve", options.status().message());
    return 2;
  }
  absl::StatusOr<LoadOptions> load = LoadOptionsFromFlags();
  if (!load.ok()) {
    PrintError("serve", load.status().message());
    return 2;
  }
  auto loader = [load = *load, embedding = config->embedding](const std::string& dir) {
    return LoadIndexFromSource(dir, load, embedding, [](const LoadError& e) {
      LogToStderr(LogLine("warning", "skipped_file", {{"error", e.message}}));
    });
  };
  auto holder = std::make_shared<IndexHolder>(loader, snapshot.empty() ? corpus : snapshot);
  auto service = std::make_shared<RelatedService>(holder, options->limits, config->ranking);
  // Listening before the index is built lets probes see NOT_SERVING meanwhile.
  auto server = Server::Start(service, *options);
  if (!server.ok()) {
    PrintError("serve", server.status().message());
    return server.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (!(*server)->Reload().ok()) return 2;  // logged by Reload

  std::vector<std::thread> reloads;
  std::atomic<int> building{0};
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      // Off this thread, so a SIGTERM during a long build is still handled.
      ++building;
      reloads.emplace_back([s = server->get(), &building] {
        s->Reload().IgnoreError();
        --building;
      });
      continue;
    }
    LogToStderr(LogLine("info", "signal", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}}));
    break;
  }
  (*server)->Shutdown();
  (*server)->Wait();
  if (const int n = building.load(); n > 0) {
    // A build can take minutes on a large corpus; the calls are drained and
    // nothing is being written, so leave without waiting for it.
    LogToStderr(LogLine("info", "shutdown", {{"phase", "exit"}, {"abandoned_reloads", std::to_string(n)}}));
    std::_Exit(0);
  }
  for (std::thread& t : reloads) t.join();
  return 0;
}

}  // namespace seealso::cli
