#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "grpcpp/grpcpp.h"
#include "seealso/v1/related.grpc.pb.h"

ABSL_FLAG(std::string, url, "", "query: ask by article URL instead of --id");
ABSL_FLAG(std::string, text, "", "query: ask for articles related to this draft text instead");
ABSL_FLAG(int, explain, 0, "query: show up to this many contributing terms per result");
ABSL_FLAG(std::string, tls_ca, "",
          "query: CA bundle, PEM, to verify the server's certificate with (enables TLS)");

namespace seealso::cli {
namespace {

// TLS when --tls_ca or a client certificate is given (without --tls_ca the
// server is verified against gRPC's default roots), else plaintext.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials() {
  const std::string ca = absl::GetFlag(FLAGS_tls_ca);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError("--tls_cert, --tls_key: give both or neither");
  }
  if (ca.empty() && cert.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  struct Pem {
    const char* flag;
    const std::string& path;
    std::string* contents;
  };
  for (const Pem& pem : {Pem{"--tls_ca", ca, &ssl.pem_root_certs},
                         Pem{"--tls_cert", cert, &ssl.pem_cert_chain},
                         Pem{"--tls_key", key, &ssl.pem_private_key}}) {
    if (pem.path.empty()) continue;
    std::ifstream in(pem.path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(pem.flag, ": cannot read ", pem.path));
    }
    *pem.contents = text.str();
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

int Query() {
  const std::string server = absl::GetFlag(FLAGS_server);
  const int64_t id = absl::GetFlag(FLAGS_id);
  const std::string url = absl::GetFlag(FLAGS_url);
  const std::string text = absl::GetFlag(FLAGS_text);
  if ((id != 0) + !url.empty() + !text.empty() != 1) {
    PrintError("query", "give exactly one of --id, --url, --text");
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = ChannelCredentials();
  if (!credentials.ok()) {
    PrintError("query", credentials.status().message());
    return 2;
  }
  auto stub = v1::RelatedArticles::NewStub(grpc::CreateChannel(server, *credentials));
  v1::ScoringOptions options;
  options.set_explain_terms(absl::GetFlag(FLAGS_explain));
  // Without --k the request says 0: the server's default_k (4 unless configured).
  const int k = absl::GetFlag(FLAGS_k);
  google::protobuf::RepeatedPtrField<v1::RelatedArticle> related;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status status;
  if (!text.empty()) {
    v1::GetRelatedForTextRequest request;
    request.set_text(text);
    request.set_k(k);
    *request.mutable_options() = options;
    v1::GetRelatedForTextResponse response;
    status = stub->GetRelatedForText(&context, request, &response);
    related = response.related();
  } else {
    v1::GetRelatedRequest request;
    if (id != 0) request.set_id(id);
    if (!url.empty()) request.set_url(url);
    request.set_k(k);
    *request.mutable_options() = options;
    v1::GetRelatedResponse response;
    status = stub->GetRelated(&context, request, &response);
    related = response.related();
  }
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    PrintError("query", absl::StrCat(status.error_message(), " on ", server));
    return 1;
  }
  if (!status.ok()) {
    PrintError("query", absl::StrCat(server, ": ", status.error_message(), " (code ",
                                     static_cast<int>(status.error_code()), ")"));
    return 1;
  }
  std::printf("%-4s %-10s %-7s %-20s %s\n", "rank", "id", "score", "subject", "title");
  int rank = 0;
  for (const v1::RelatedArticle& r : related) {
    std::printf("%-4d %-10lld %-7.4f %-20s %s\n", ++rank, static_cast<long long>(r.id()),
                static_cast<double>(r.score()), r.subject().c_str(), r.title().c_str());
    for (const v1::TermContribution& t : r.explanation()) {
      std::printf("       %-20s %.4f\n", t.term().c_str(), static_cast<double>(t.contribution()));
    }
    // Explained, a mention says where the rest of the score comes from.
    if (r.mentioned() && r.explanation_size() > 0) std::printf("       (title mention)\n");
  }
  return 0;
}

}  // namespace seealso::cli
