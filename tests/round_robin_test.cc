// Scale-out as a client sees it (docs/operations.md): three `seealso serve`
// processes on loopback ports, one gRPC channel with the round_robin policy
// over all three addresses (what DNS of the headless Service returns). Calls
// spread over every server, and when one server gets SIGTERM mid-stream (a
// rollout or scale-down) it drains and exits 0 while the client goes on with
// zero failed calls on the other two.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "seealso/v1/related.grpc.pb.h"

namespace seealso {
namespace {

// A `seealso serve` child process on an ephemeral loopback port.
struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
};

// Starts the server and waits for its "event=ready listen=127.0.0.1:PORT" line; port 0
// means it did not get ready.
ServerProcess StartServer() {
  int fds[2];
  if (pipe(fds) != 0) return {};
  ServerProcess server;
  server.pid = fork();
  if (server.pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return {};
  }
  if (server.pid == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(SEEALSO_BINARY, SEEALSO_BINARY, "serve", "--corpus", SEEALSO_SOURCE_DIR "/data/sample",
          "--listen", "127.0.0.1:0", "--shutdown_drain_ms", "300", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  FILE* log = fdopen(fds[0], "r");
  char line[512];
  while (server.port == 0 && fgets(line, sizeof line, log) != nullptr) {
    const char* ready = strstr(line, "event=ready listen=127.0.0.1:");
    if (ready != nullptr) server.port = atoi(ready + strlen("event=ready listen=127.0.0.1:"));
  }
  // The rest of the log is not needed: the test ignores SIGPIPE before it
  // forks, so the server inherits that and its later log lines just fail.
  fclose(log);
  return server;
}

// Exit status after SIGTERM, or -1 if it did not exit normally.
int Stop(ServerProcess& server) {
  if (server.pid <= 0) return -1;  // kill(-1, ...) would signal every process
  kill(server.pid, SIGTERM);
  int raw = 0;
  const pid_t reaped = waitpid(server.pid, &raw, 0);
  server.pid = -1;
  if (reaped <= 0) return -1;
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

// Kills the servers a failed assertion left running.
struct KillOnExit {
  std::vector<ServerProcess>& servers;
  ~KillOnExit() {
    for (ServerProcess& s : servers) {
      if (s.pid <= 0) continue;
      kill(s.pid, SIGKILL);
      waitpid(s.pid, nullptr, 0);
    }
  }
};

constexpr char kClientServiceConfig[] = R"({
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [{"service": "seealso.v1.RelatedArticles"}],
    "retryPolicy": {
      "maxAttempts": 3,
      "initialBackoff": "0.01s",
      "maxBackoff": "0.1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})";

int PeerPort(const std::string& peer) {  // "ipv4:127.0.0.1:PORT"
  return std::stoi(peer.substr(peer.rfind(':') + 1));
}

TEST(RoundRobinTest, SpreadsCallsAndSurvivesADrainingServer) {
  // A closed pipe must not kill the server that logs its drain.
  signal(SIGPIPE, SIG_IGN);
  std::vector<ServerProcess> servers;
  KillOnExit cleanup{servers};
  for (int i = 0; i < 3; ++i) {
    servers.push_back(StartServer());
    ASSERT_GT(servers.back().port, 0) << "server " << i << " did not get ready";
  }
  std::string target = "ipv4:";
  for (const ServerProcess& s : servers) {
    target += (target.size() > 5 ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(s.port);
  }
  // The client configuration docs/operations.md recommends (round_robin,
  // retries of this idempotent read), but retrying UNAVAILABLE only: to a
  // client calling back to back, a draining server answers nothing else
  // (issue #6: it used to answer a call racing its shutdown CANCELLED).
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(kClientServiceConfig);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  auto stub = v1::RelatedArticles::NewStub(channel);
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)));

  int failed = 0;
  // One GetRelated call; returns the port of the server that answered, or 0.
  auto call = [&](int i) {
    v1::GetRelatedRequest request;
    request.set_id(171811);
    request.set_k(4);
    v1::GetRelatedResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    context.set_wait_for_ready(true);
    const grpc::Status status = stub->GetRelated(&context, request, &response);
    if (!status.ok() || response.related_size() != 4) {
      ++failed;
      ADD_FAILURE() << "call " << i << ": " << status.error_message();
      return 0;
    }
    return PeerPort(context.peer());
  };
  // round_robin rotates over the connections that are ready: warm up until
  // all three are (a few calls), so that the counts below are the steady state.
  std::set<int> seen;
  for (int i = 0; i < 100 && seen.size() < servers.size(); ++i) {
    if (const int port = call(-1 - i)) seen.insert(port);
  }
  ASSERT_EQ(seen.size(), servers.size()) << "not every server was reached";

  constexpr int kCalls = 600;
  constexpr int kStopAt = 200;
  constexpr int kStoppedBy = kStopAt + 100;  // the stopped server has exited by this call
  std::map<int, int> before, after;  // calls served per port, before the stop / after the exit
  std::thread stopper;
  int stopped_status = -2;
  for (int i = 0; i < kCalls; ++i) {
    if (i == kStopAt) {
      // SIGTERM from another thread, so calls keep flowing while it drains.
      stopper = std::thread([&] { stopped_status = Stop(servers[0]); });
    }
    if (i == kStoppedBy) stopper.join();
    const int port = call(i);
    if (i < kStopAt) ++before[port];
    if (i >= kStoppedBy) ++after[port];
  }
  for (const ServerProcess& s : servers) {
    std::printf("port %d: %d calls before the stop, %d after the exit\n", s.port, before[s.port],
                after[s.port]);
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(stopped_status, 0) << "SIGTERM drains and exits 0";
  // Round robin: each server took a third of the first 200 calls.
  for (const ServerProcess& s : servers) EXPECT_GE(before[s.port], 60) << "port " << s.port;
  // After the stopped server exited, the other two served every call.
  EXPECT_EQ(after[servers[0].port], 0);
  EXPECT_GE(after[servers[1].port], 80);
  EXPECT_GE(after[servers[2].port], 80);
  EXPECT_EQ(after[servers[1].port] + after[servers[2].port], kCalls - kStoppedBy);
  for (size_t i = 1; i < servers.size(); ++i) EXPECT_EQ(Stop(servers[i]), 0);
}

}  // namespace
}  // namespace seealso
