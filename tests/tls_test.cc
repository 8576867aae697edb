// TLS and mTLS round trips, with a CA and certificates made by openssl at test
// time (no private key is checked in).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "seealso/v1/related.grpc.pb.h"
#include "service/server.h"
#include "tests/service_testing.h"
#include "tests/test_certificates.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TlsTest : public ::testing::Test {
 protected:
  // A CA, a server certificate for 127.0.0.1/localhost and a client certificate.
  static void SetUpTestSuite() {
    // Per process: ctest runs each test of this suite in its own process, in parallel.
    dir_ = new fs::path(fs::path(::testing::TempDir()) /
                        ("seealso-tls-test-" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    ASSERT_TRUE(testing::MakeTestCertificates(*dir_)) << "openssl failed";
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  void Start(bool require_client_cert) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.tls_cert_file = (*dir_ / "server.pem").string();
    options.tls_key_file = (*dir_ / "server.key").string();
    if (require_client_cert) options.tls_client_ca_file = (*dir_ / "ca.pem").string();
    auto server = Server::Start(std::make_shared<RelatedService>(testing::SampleHolder()), options,
                                [](const std::string&) {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  grpc::Status Call(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = v1::RelatedArticles::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(server_->port()), credentials, args));
    v1::GetRelatedRequest request;
    request.set_id(171811);
    v1::GetRelatedResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const grpc::Status s = stub->GetRelated(&context, request, &response);
    if (s.ok()) {
      EXPECT_EQ(response.related_size(), 4);
    }
    return s;
  }

  static grpc::SslCredentialsOptions TrustingTheCa() {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(*dir_ / "ca.pem");
    return ssl;
  }

  static fs::path* dir_;
  std::unique_ptr<Server> server_;
};

fs::path* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, RoundTripOverTls) {
  Start(/*require_client_cert=*/false);
  const grpc::Status s = Call(grpc::SslCredentials(TrustingTheCa()));
  EXPECT_TRUE(s.ok()) << s.error_message();
  // A plaintext client cannot talk to a TLS server.
  EXPECT_EQ(Call(grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MutualTlsRefusesAClientWithoutACertificate) {
  Start(/*require_client_cert=*/true);
  EXPECT_EQ(Call(grpc::SslCredentials(TrustingTheCa())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions with_cert = TrustingTheCa();
  with_cert.pem_private_key = Read(*dir_ / "client.key");
  with_cert.pem_cert_chain = Read(*dir_ / "client.pem");
  const grpc::Status s = Call(grpc::SslCredentials(with_cert));
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(TlsTest, UnreadableOrHalfConfiguredTlsIsInvalidArgument) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls_cert_file = (*dir_ / "missing.pem").string();
  options.tls_key_file = (*dir_ / "server.key").string();
  auto server = Server::Start(std::make_shared<RelatedService>(testing::SampleHolder()), options,
                              [](const std::string&) {});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("tls_cert_file: cannot read"));
  options.tls_key_file.clear();
  server = Server::Start(std::make_shared<RelatedService>(testing::SampleHolder()), options,
                         [](const std::string&) {});
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace seealso
