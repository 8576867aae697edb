#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "grpcpp/grpcpp.h"
#include "seealso/v1/related.grpc.pb.h"

namespace seealso::cli {

int Query() {
  const std::string server = absl::GetFlag(FLAGS_server);
  const int64_t id = absl::GetFlag(FLAGS_id);
  auto stub = v1::RelatedArticles::NewStub(
      grpc::CreateChannel(server, grpc::InsecureChannelCredentials()));
  v1::GetRelatedRequest request;
  request.set_id(id);
  request.set_k(absl::GetFlag(FLAGS_k) == 0 ? 4 : absl::GetFlag(FLAGS_k));
  v1::GetRelatedResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = stub->GetRelated(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    PrintError("query", absl::StrCat("article ", id, " not found on ", server));
    return 1;
  }
  if (!status.ok()) {
    PrintError("query", absl::StrCat(server, ": ", status.error_message(), " (code ",
                                     static_cast<int>(status.error_code()), ")"));
    return 1;
  }
  std::printf("%-4s %-10s %-7s %-20s %s\n", "rank", "id", "score", "subject", "title");
  int rank = 0;
  for (const v1::RelatedArticle& r : response.related()) {
    std::printf("%-4d %-10lld %-7.4f %-20s %s\n", ++rank, static_cast<long long>(r.id()),
                static_cast<double>(r.score()), r.subject().c_str(), r.title().c_str());
  }
  return 0;
}

}  // namespace seealso::cli
