// `seealso serve` as a process: config-file settings, the ready line, SIGHUP
// reload, SIGTERM drain with exit status 0; `seealso query` against it, also
// over TLS and mTLS.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/run_command.h"
#include "tests/test_certificates.h"
#include "tests/scratch_dir.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunCommand;

const std::string kBinary = SEEALSO_BINARY;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ServeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "seealso.yaml") << "server:\n  listen: 127.0.0.1:0\n  max_k: 3\n"
                                            "  default_k: 2\n";
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Starts the server with stderr to a file.
  void Start() {
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      const std::string log = (dir_ / "stderr.log").string();
      FILE* f = std::freopen(log.c_str(), "w", stderr);
      (void)f;
      const std::string corpus = SEEALSO_SOURCE_DIR "/data/sample";
      const std::string config = (dir_ / "seealso.yaml").string();
      ::execl(kBinary.c_str(), kBinary.c_str(), "serve", "--corpus", corpus.c_str(), "--config",
              config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }

  // Starts the server and returns its host:port once it is ready ("" if not).
  std::string StartAndAwaitReady() {
    Start();
    const std::string log = WaitForLog("event=ready listen=127\\.0\\.0\\.1:[0-9]+ ");
    std::smatch m;
    if (!std::regex_search(log, m, std::regex("event=ready listen=(127\\.0\\.0\\.1:[0-9]+)"))) {
      return "";
    }
    return m[1];
  }

  // Runs `seealso query` for article 171811 against `address` with `flags`.
  testing::CommandOutput Query(const std::string& address, const std::string& flags) {
    return RunCommand(kBinary + " query --server " + address + " --id 171811 " + flags + " 2>&1");
  }

  // Waits (at most 30 s) for a log line matching `pattern`; returns the log.
  std::string WaitForLog(const std::string& pattern) {
    const std::regex re(pattern);
    for (int i = 0; i < 300; ++i) {
      const std::string log = ReadFile(dir_ / "stderr.log");
      if (std::regex_search(log, re)) return log;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no log line matching " << pattern << " in:\n" << ReadFile(dir_ / "stderr.log");
    return "";
  }

  testing::ScratchDir scratch_{"seealso_serve"};
  const fs::path dir_ = scratch_.path();
  pid_t pid_ = -1;
};

TEST_F(ServeCliTest, ServesWithFileSettingsReloadsOnSighupDrainsOnSigterm) {
  const std::string address = StartAndAwaitReady();
  ASSERT_FALSE(address.empty());
  // One ready line with the address and the article count (built from the
  // corpus, so no precomputed lists).
  EXPECT_THAT(ReadFile(dir_ / "stderr.log"),
              ::testing::ContainsRegex("event=ready listen=" + address +
                                       " precomputed_lists=none .*articles=53"));

  // The server's k limits come from the config file.
  auto ok = Query(address, "--k 3");
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("171812"));
  auto over = Query(address, "--k 4");
  EXPECT_EQ(over.status, 1);
  EXPECT_THAT(over.out, HasSubstr("at most 3"));
  auto unknown = RunCommand(kBinary + " query --server " + address + " --id 42 2>&1");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_THAT(unknown.out, HasSubstr("no article with id 42"));
  // A draft naming article 171811's title gets it first, and explained, the
  // title mention says where the rest of its score comes from.
  auto draft = RunCommand(
      kBinary + " query --server " + address + " --k 3 --explain 1 --text 'How central banks " +
      "raise interest rates, and how does community service in healthcare contribute to " +
      "personal and professional development for medical students' 2>&1");
  EXPECT_EQ(draft.status, 0) << draft.out;
  // Rank 1 is 171811, its explanation ends with the mention, rank 2 follows.
  const size_t first = draft.out.find("\n1    171811 ");
  const size_t mention = draft.out.find("\n       (title mention)\n2 ");
  ASSERT_NE(first, std::string::npos) << draft.out;
  ASSERT_NE(mention, std::string::npos) << draft.out;
  EXPECT_LT(first, mention);
  EXPECT_EQ(draft.out.find("(title mention)", mention + 10), std::string::npos) << draft.out;

  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  WaitForLog("event=reload .*generation=2");
  EXPECT_EQ(Query(address, "").status, 0);

  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THAT(ReadFile(dir_ / "stderr.log"), HasSubstr("event=shutdown phase=stopped"));
}

TEST_F(ServeCliTest, QueryOverTls) {
  ASSERT_TRUE(testing::MakeTestCertificates(dir_)) << "openssl failed";
  const std::string d = dir_.string();
  std::ofstream(dir_ / "seealso.yaml") << "server:\n  listen: 127.0.0.1:0\n  tls_cert: " << d
                                        << "/server.pem\n  tls_key: " << d << "/server.key\n";
  const std::string address = StartAndAwaitReady();
  ASSERT_FALSE(address.empty());
  const auto tls = Query(address, "--tls_ca " + d + "/ca.pem");
  EXPECT_EQ(tls.status, 0) << tls.out;
  EXPECT_THAT(tls.out, HasSubstr("171812"));
  // Plaintext, or a server certificate not signed by the given CA: refused.
  EXPECT_EQ(Query(address, "").status, 1);
  const auto untrusted = Query(address, "--tls_ca " + d + "/client.pem");
  EXPECT_EQ(untrusted.status, 1) << untrusted.out;
}

TEST_F(ServeCliTest, QueryOverMutualTls) {
  ASSERT_TRUE(testing::MakeTestCertificates(dir_)) << "openssl failed";
  const std::string d = dir_.string();
  std::ofstream(dir_ / "seealso.yaml") << "server:\n  listen: 127.0.0.1:0\n  tls_cert: " << d
                                        << "/server.pem\n  tls_key: " << d
                                        << "/server.key\n  tls_client_ca: " << d << "/ca.pem\n";
  const std::string address = StartAndAwaitReady();
  ASSERT_FALSE(address.empty());
  const std::string trust = "--tls_ca " + d + "/ca.pem";
  const auto mtls = Query(address, trust + " --tls_cert " + d + "/client.pem --tls_key " + d + "/client.key");
  EXPECT_EQ(mtls.status, 0) << mtls.out;
  EXPECT_THAT(mtls.out, HasSubstr("171812"));
  // Without a client certificate the server refuses the connection.
  const auto anonymous = Query(address, trust);
  EXPECT_EQ(anonymous.status, 1) << anonymous.out;
  EXPECT_THAT(anonymous.out, HasSubstr("code 14"));
  // Half a client identity, or an unreadable file, is a usage error.
  const auto half = Query(address, trust + " --tls_cert " + d + "/client.pem");
  EXPECT_EQ(half.status, 2);
  EXPECT_THAT(half.out, HasSubstr("--tls_cert, --tls_key: give both or neither"));
  const auto missing = Query(address, "--tls_ca " + d + "/missing.pem");
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.out, HasSubstr("--tls_ca: cannot read " + d + "/missing.pem"));
}

TEST_F(ServeCliTest, BadServerSettingIsAUsageError) {
  std::ofstream(dir_ / "seealso.yaml") << "server:\n  max_k: 3\n  default_k: 4\n";
  const auto run = RunCommand(kBinary + " serve --corpus " SEEALSO_SOURCE_DIR "/data/sample --config " +
                              (dir_ / "seealso.yaml").string() + " 2>&1");
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.out, HasSubstr("default_k must not exceed max_k"));
}

}  // namespace
}  // namespace seealso
