#include "service/metrics.h"

#include <chrono>
#include <exception>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace seealso {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// Seconds: from a cached answer (~100 µs) to a long stream.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
      5, 10, 30, 60};
  return *kBuckets;
}

// Times one call from its creation to the status being sent.
class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(Metrics* metrics, const char* method)
      : metrics_(metrics),
        method_(absl::string_view(method).substr(method[0] == '/' ? 1 : 0)),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->ObserveCall(method_, methods->GetSendStatus().error_code(), seconds);
    }
    methods->Proceed();
  }

 private:
  Metrics* metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  Factory(Metrics* metrics, std::string skip_prefix)
      : metrics_(metrics), skip_prefix_(std::move(skip_prefix)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (!skip_prefix_.empty() && absl::StartsWith(info->method(), skip_prefix_)) return nullptr;
    return new CallInterceptor(metrics_, info->method());
  }

 private:
  Metrics* metrics_;
  std::string skip_prefix_;
};

std::string CodeName(int code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(BuildCounter()
                    .Name("seealso_grpc_requests_total")
                    .Help("gRPC calls finished, by method and status code")
                    .Register(*registry_)),
      latency_(BuildHistogram()
                   .Name("seealso_grpc_request_duration_seconds")
                   .Help("gRPC call latency from arrival to status, by method")
                   .Register(*registry_)),
      reloads_(BuildCounter()
                   .Name("seealso_index_reloads_total")
                   .Help("index reload attempts, by result (ok, error)")
                   .Register(*registry_)),
      articles_(BuildGauge()
                    .Name("seealso_index_articles")
                    .Help("articles in the serving index")
                    .Register(*registry_)
                    .Add({})),
      terms_(BuildGauge()
                 .Name("seealso_index_terms")
                 .Help("vocabulary size of the serving index")
                 .Register(*registry_)
                 .Add({})),
      generation_(BuildGauge()
                      .Name("seealso_index_generation")
                      .Help("generation of the serving snapshot (1 = first load)")
                      .Register(*registry_)
                      .Add({})) {}

Metrics::~Metrics() = default;

void Metrics::ObserveCall(absl::string_view method, int code, double seconds) {
  const std::string m(method);
  requests_
      .Add({{"method", m},
            {"code", CodeName(code)}})
      .Increment();
  latency_.Add({{"method", m}}, LatencyBuckets()).Observe(seconds);
}

Metrics::MethodSeries& Metrics::Method(absl::string_view method) {
  std::lock_guard<std::mutex> lock(methods_mu_);
  for (const std::unique_ptr<MethodSeries>& m : methods_) {
    if (m->method_ == method) return *m;
  }
  methods_.push_back(std::unique_ptr<MethodSeries>(new MethodSeries(this, std::string(method))));
  return *methods_.back();
}

void Metrics::MethodSeries::Observe(int code, double seconds) {
  if (code < 0 || code >= kCodes) {
    metrics_->ObserveCall(method_, code, seconds);
    return;
  }
  // Series are created on first use, as ObserveCall does, so /metrics lists
  // only codes seen. Family::Add returns the existing series for labels it
  // has, so two threads racing here store the same pointer.
  prometheus::Counter* requests = requests_[code].load(std::memory_order_acquire);
  if (requests == nullptr) {
    requests = &metrics_->requests_.Add({{"method", method_}, {"code", CodeName(code)}});
    requests_[code].store(requests, std::memory_order_release);
  }
  requests->Increment();
  prometheus::Histogram* latency = latency_.load(std::memory_order_acquire);
  if (latency == nullptr) {
    latency = &metrics_->latency_.Add({{"method", method_}}, LatencyBuckets());
    latency_.store(latency, std::memory_order_release);
  }
  latency->Observe(seconds);
}

void Metrics::ObserveReload(bool ok) {
  reloads_.Add({{"result", ok ? "ok" : "error"}}).Increment();
}

void Metrics::SetIndex(const Snapshot& snapshot) {
  articles_.Set(snapshot.index->size());
  terms_.Set(static_cast<double>(snapshot.index->embeddings().terms().size()));
  generation_.Set(static_cast<double>(snapshot.version.generation));
}

absl::Status Metrics::Serve(const std::string& listen) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", listen, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  const std::vector<int> ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? 0 : ports.front();
  return absl::OkStatus();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::InterceptorFactory(std::string skip_prefix) {
  return std::make_unique<Factory>(this, std::move(skip_prefix));
}

}  // namespace seealso
