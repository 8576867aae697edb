// Prometheus metrics of one server: calls by method and status code, latency
// histograms, index size, reloads. Served over HTTP on their own port.
#ifndef SEEALSO_SERVICE_METRICS_H_
#define SEEALSO_SERVICE_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "service/index_holder.h"

namespace seealso {

// Thread-safe.
class Metrics {
 public:
  Metrics();
  ~Metrics();

  // Counts one finished call: `method` as "package.Service/Method", `code` a
  // gRPC status code number.
  void ObserveCall(absl::string_view method, int code, double seconds);

  // One method's series, resolved on first use: counting a call through it
  // takes no label map, lookup or allocation, which ObserveCall pays per call.
  // Thread-safe; lives as long as the Metrics.
  class MethodSeries {
   public:
    // The same as ObserveCall(method, code, seconds).
    void Observe(int code, double seconds);

   private:
    friend class Metrics;
    MethodSeries(Metrics* metrics, std::string method)
        : metrics_(metrics), method_(std::move(method)) {}

    // gRPC status codes are 0 (OK) to 16 (UNAUTHENTICATED).
    static constexpr int kCodes = 17;
    Metrics* metrics_;
    std::string method_;
    std::array<std::atomic<prometheus::Counter*>, kCodes> requests_{};
    std::atomic<prometheus::Histogram*> latency_{nullptr};
  };
  // The series of `method` ("package.Service/Method").
  MethodSeries& Method(absl::string_view method);

  // Counts a reload attempt, by result.
  void ObserveReload(bool ok);
  // Sets the index gauges (articles, terms, generation).
  void SetIndex(const Snapshot& snapshot);

  // Serves GET /metrics on `listen` (host:port, port 0 = any free one).
  absl::Status Serve(const std::string& listen);
  // The bound port, or 0 when not serving.
  int port() const { return port_; }

  // A factory for a gRPC server interceptor that calls ObserveCall for every
  // call except those whose method ("/package.Service/Method") starts with
  // `skip_prefix` (a service that counts its calls itself through Method());
  // `this` must outlive the servers using it.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory(
      std::string skip_prefix = "");

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& reloads_;
  prometheus::Gauge& articles_;
  prometheus::Gauge& terms_;
  prometheus::Gauge& generation_;
  std::mutex methods_mu_;
  std::vector<std::unique_ptr<MethodSeries>> methods_;  // guarded by methods_mu_
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace seealso

#endif  // SEEALSO_SERVICE_METRICS_H_
