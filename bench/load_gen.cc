// Load generator for a running `seealso serve`: keeps a fixed number of
// GetRelated (by id) or GetRelatedForText calls in flight on one async client
// for a bounded time, then prints throughput and latency percentiles.
//
//   load_gen --server 127.0.0.1:50051 --corpus data/sample --mode id --concurrency 16
//
// Queries cycle through the corpus's articles: ids for --mode id, the
// article's title + question as a draft for --mode text.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "embeddings/corpus.h"
#include "grpcpp/grpcpp.h"
#include "seealso/v1/related.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "server address, host:port");
ABSL_FLAG(std::string, corpus, "", "the corpus the server serves (queries are drawn from it)");
ABSL_FLAG(std::string, mode, "id", "id: GetRelated by id; text: GetRelatedForText");
ABSL_FLAG(int, concurrency, 16, "calls kept in flight");
ABSL_FLAG(double, duration_s, 10, "measured seconds");
ABSL_FLAG(double, warmup_s, 1, "seconds run before measuring");
ABSL_FLAG(int, k, 4, "related articles per call");

namespace {

using Clock = std::chrono::steady_clock;
using seealso::v1::RelatedArticles;

// One in-flight call; its address is the completion-queue tag.
struct Slot {
  std::unique_ptr<grpc::ClientContext> context;
  Clock::time_point start;
  grpc::Status status;
  seealso::v1::GetRelatedResponse by_id;
  seealso::v1::GetRelatedForTextResponse by_text;
  std::unique_ptr<grpc::ClientAsyncResponseReader<seealso::v1::GetRelatedResponse>> id_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<seealso::v1::GetRelatedForTextResponse>>
      text_reader;
};

class Generator {
 public:
  Generator(RelatedArticles::Stub* stub, std::vector<seealso::Article> articles, bool by_text,
            int k)
      : stub_(stub), articles_(std::move(articles)), by_text_(by_text), k_(k) {}

  void Issue(Slot* slot) {
    const seealso::Article& a = articles_[next_++ % articles_.size()];
    slot->context = std::make_unique<grpc::ClientContext>();
    slot->context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    slot->start = Clock::now();
    if (by_text_) {
      seealso::v1::GetRelatedForTextRequest request;
      request.set_title(a.title);
      request.set_question(a.question);
      request.set_subject(a.subject);
      request.set_k(k_);
      slot->text_reader = stub_->AsyncGetRelatedForText(slot->context.get(), request, &cq_);
      slot->text_reader->Finish(&slot->by_text, &slot->status, slot);
    } else {
      seealso::v1::GetRelatedRequest request;
      request.set_id(a.id);
      request.set_k(k_);
      slot->id_reader = stub_->AsyncGetRelated(slot->context.get(), request, &cq_);
      slot->id_reader->Finish(&slot->by_id, &slot->status, slot);
    }
  }

  // Runs until `end`; latencies (µs) of calls that finished after `measure_from`.
  void Run(int concurrency, Clock::time_point measure_from, Clock::time_point end) {
    std::vector<Slot> slots(static_cast<size_t>(concurrency));
    for (Slot& s : slots) Issue(&s);
    int in_flight = concurrency;
    void* tag = nullptr;
    bool ok = false;
    while (in_flight > 0 && cq_.Next(&tag, &ok)) {
      auto* slot = static_cast<Slot*>(tag);
      const Clock::time_point now = Clock::now();
      if (now >= measure_from && now < end) {
        if (ok && slot->status.ok()) {
          latencies_us_.push_back(
              std::chrono::duration<double, std::micro>(now - slot->start).count());
        } else {
          ++errors_;
          if (errors_ == 1) std::fprintf(stderr, "first error: %s\n", slot->status.error_message().c_str());
        }
      }
      if (now < end) {
        Issue(slot);
      } else {
        --in_flight;
      }
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
  }

  std::vector<double>& latencies_us() { return latencies_us_; }
  long errors() const { return errors_; }

 private:
  RelatedArticles::Stub* stub_;
  std::vector<seealso::Article> articles_;
  bool by_text_;
  int k_;
  size_t next_ = 0;
  grpc::CompletionQueue cq_;
  std::vector<double> latencies_us_;
  long errors_ = 0;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode != "id" && mode != "text") {
    std::fprintf(stderr, "load_gen: --mode must be id or text\n");
    return 2;
  }
  absl::StatusOr<seealso::Corpus> corpus = seealso::LoadCorpus(absl::GetFlag(FLAGS_corpus));
  if (!corpus.ok() || corpus->articles.empty()) {
    std::fprintf(stderr, "load_gen: --corpus: %s\n",
                 corpus.ok() ? "no articles" : std::string(corpus.status().message()).c_str());
    return 2;
  }
  const int concurrency = std::max(1, absl::GetFlag(FLAGS_concurrency));
  const size_t articles = corpus->articles.size();
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_server), grpc::InsecureChannelCredentials());
  auto stub = RelatedArticles::NewStub(channel);
  Generator generator(stub.get(), std::move(corpus->articles), mode == "text",
                      absl::GetFlag(FLAGS_k));
  const auto warmup = std::chrono::duration<double>(absl::GetFlag(FLAGS_warmup_s));
  const auto duration = std::chrono::duration<double>(absl::GetFlag(FLAGS_duration_s));
  const Clock::time_point measure_from =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(warmup);
  const Clock::time_point end =
      measure_from + std::chrono::duration_cast<Clock::duration>(duration);
  generator.Run(concurrency, measure_from, end);

  std::vector<double>& lat = generator.latencies_us();
  std::sort(lat.begin(), lat.end());
  const double seconds = duration.count();
  std::printf(
      "mode=%s articles=%zu concurrency=%d duration_s=%.1f calls=%zu errors=%ld "
      "throughput_per_s=%.0f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f\n",
      mode.c_str(), articles, concurrency, seconds, lat.size(), generator.errors(),
      lat.size() / seconds, Percentile(lat, 0.50), Percentile(lat, 0.90), Percentile(lat, 0.99),
      lat.empty() ? 0.0 : lat.back());
  return generator.errors() == 0 && !lat.empty() ? 0 : 1;
}
