// Calls the standard grpc.health.v1.Health/Check without its .proto (Debian
// ships no health.proto): the request for the overall server status is the
// empty message, and the response is field 1, a varint ServingStatus.
#ifndef SEEALSO_TESTS_HEALTH_CLIENT_H_
#define SEEALSO_TESTS_HEALTH_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace seealso::testing {

// grpc.health.v1.HealthCheckResponse.ServingStatus
enum class Health { kUnknown = 0, kServing = 1, kNotServing = 2, kServiceUnknown = 3, kError = -1 };

inline Health CheckHealth(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1);
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!status.ok()) return Health::kError;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return Health::kError;
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (bytes.empty()) return Health::kUnknown;
  if (bytes.size() == 2 && bytes[0] == 0x08) return static_cast<Health>(bytes[1]);
  return Health::kError;
}

}  // namespace seealso::testing

#endif  // SEEALSO_TESTS_HEALTH_CLIENT_H_
