#include <csignal>
#include <cstdio>
#include <pthread.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "service/server.h"

namespace seealso::cli {

int Serve() {
  // Block the shutdown signals in every thread (gRPC's included) before any
  // start, so that only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<Config> config = ConfigFromFlags();
  if (!config.ok()) {
    PrintError("serve", config.status().message());
    return 2;
  }
  auto index = LoadIndexFromFlags(*config);
  if (!index.ok()) {
    PrintError("serve", index.status().message());
    return 2;
  }
  const int articles = (*index)->size();
  const size_t terms = (*index)->embeddings().terms().size();
  auto service =
      std::make_shared<const RelatedService>(*std::move(index), ServiceLimits{}, config->ranking);
  ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  auto server = Server::Start(service, options);
  if (!server.ok()) {
    PrintError("serve", server.status().message());
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::fprintf(stderr, "seealso serve: ready on %s:%d, %d articles, %zu terms\n", host.c_str(),
               (*server)->port(), articles, terms);
  std::fflush(stderr);

  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "seealso serve: %s received, draining\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Shutdown();
  (*server)->Wait();
  std::fprintf(stderr, "seealso serve: stopped\n");
  return 0;
}

}  // namespace seealso::cli
