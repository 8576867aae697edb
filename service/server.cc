#include "service/server.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "seealso/v1/related.grpc.pb.h"

namespace seealso {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace

class Server::Adapter final : public v1::RelatedArticles::Service {
 public:
  explicit Adapter(std::shared_ptr<const RelatedService> service) : service_(std::move(service)) {}

  grpc::Status GetRelated(grpc::ServerContext*, const v1::GetRelatedRequest* request,
                          v1::GetRelatedResponse* response) override {
    return ToGrpc(service_->GetRelated(*request, response));
  }

 private:
  std::shared_ptr<const RelatedService> service_;
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(std::shared_ptr<const RelatedService> service,
                                                      const ServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<Server> server(new Server());
  server->adapter_ = std::make_unique<Adapter>(std::move(service));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->adapter_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  return server;
}

Server::~Server() {
  if (server_ != nullptr) {
    Shutdown(std::chrono::milliseconds(0));
    Wait();
  }
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() + grace);
}

void Server::Wait() { server_->Wait(); }

}  // namespace seealso
