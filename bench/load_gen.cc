// Load generator for a running `seealso serve`: keeps a fixed number of
// GetRelated (by id) or GetRelatedForText calls in flight for a bounded time,
// then prints throughput and latency percentiles.
//
//   load_gen --server 127.0.0.1:50051 --corpus data/sample --mode id --concurrency 16
//
// Queries cycle through the corpus's articles: ids for --mode id, the
// article's title + question as a draft for --mode text. The calls in flight
// are spread over --threads threads, each driving its own completion queue
// (the thread that waits on it also reads the responses: no hand-off), and
// over --channels connections.
//
// With --rate R the load is open-loop instead: calls start on a fixed schedule
// of R per second in all (spread over the threads), whatever the server's
// latency, with at most --concurrency in flight; a call is timed from when it
// was actually sent, and how late the generator sent calls against the
// schedule is printed too (lag_p99_us), so a generator that fell behind shows.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
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
ABSL_FLAG(int, threads, 1, "client threads, each with its own completion queue");
ABSL_FLAG(int, channels, 1, "connections to the server (calls are spread over them)");
ABSL_FLAG(bool, retries, false, "keep gRPC's retry filter on the client channels");
ABSL_FLAG(double, duration_s, 10, "measured seconds");
ABSL_FLAG(double, warmup_s, 1, "seconds run before measuring");
ABSL_FLAG(int, k, 4, "related articles per call");
ABSL_FLAG(double, rate, 0,
          "open loop: calls started per second in all, on a fixed schedule "
          "(0: closed loop, --concurrency calls always in flight)");

namespace {

using Clock = std::chrono::steady_clock;
using seealso::v1::RelatedArticles;

// Every request, built once: a call only picks the next one.
struct Requests {
  std::vector<seealso::v1::GetRelatedRequest> by_id;
  std::vector<seealso::v1::GetRelatedForTextRequest> by_text;
  size_t size() const { return std::max(by_id.size(), by_text.size()); }
};

// One in-flight call; its address is the completion-queue tag.
struct Slot {
  RelatedArticles::Stub* stub = nullptr;
  std::unique_ptr<grpc::ClientContext> context;
  Clock::time_point start;
  bool counted = false;  // sent in the measured window (open loop)
  grpc::Status status;
  seealso::v1::GetRelatedResponse by_id;
  seealso::v1::GetRelatedForTextResponse by_text;
  std::unique_ptr<grpc::ClientAsyncResponseReader<seealso::v1::GetRelatedResponse>> id_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<seealso::v1::GetRelatedForTextResponse>>
      text_reader;
};

// The calls of one thread.
class Generator {
 public:
  Generator(const Requests* requests, std::atomic<size_t>* next)
      : requests_(requests), next_(next) {}

  void Issue(Slot* slot) {
    const size_t i = next_->fetch_add(1, std::memory_order_relaxed) % requests_->size();
    slot->context = std::make_unique<grpc::ClientContext>();
    slot->context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    slot->start = Clock::now();
    slot->counted = slot->start >= measure_from_ && slot->start < end_;
    if (!requests_->by_text.empty()) {
      slot->text_reader =
          slot->stub->AsyncGetRelatedForText(slot->context.get(), requests_->by_text[i], &cq_);
      slot->text_reader->Finish(&slot->by_text, &slot->status, slot);
    } else {
      slot->id_reader = slot->stub->AsyncGetRelated(slot->context.get(), requests_->by_id[i], &cq_);
      slot->id_reader->Finish(&slot->by_id, &slot->status, slot);
    }
  }

  // Runs `slots` until `end`; latencies (µs) of calls that finished after
  // `measure_from`.
  void Run(std::vector<Slot>& slots, Clock::time_point measure_from, Clock::time_point end) {
    measure_from_ = measure_from;
    end_ = end;
    for (Slot& s : slots) Issue(&s);
    size_t in_flight = slots.size();
    void* tag = nullptr;
    bool ok = false;
    while (in_flight > 0 && cq_.Next(&tag, &ok)) {
      auto* slot = static_cast<Slot*>(tag);
      const Clock::time_point now = Clock::now();
      Record(slot, ok, now, now >= measure_from && now < end);
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

  // Open loop: starts calls at `rate` per second from `start` until `end`,
  // with at most slots.size() in flight; counts the calls sent from
  // `measure_from` on.
  void RunOpen(std::vector<Slot>& slots, double rate, Clock::time_point start,
               Clock::time_point measure_from, Clock::time_point end) {
    measure_from_ = measure_from;
    end_ = end;
    std::vector<Slot*> idle;
    for (Slot& s : slots) idle.push_back(&s);
    const std::chrono::duration<double> interval(1.0 / rate);
    int64_t issued = 0;
    auto due = [&] {
      return start +
             std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(issued));
    };
    size_t in_flight = 0;
    for (;;) {
      Clock::time_point now = Clock::now();
      while (!idle.empty() && due() <= now && due() < end) {
        const Clock::time_point scheduled = due();
        Slot* slot = idle.back();
        idle.pop_back();
        Issue(slot);
        if (slot->counted) {
          lags_us_.push_back(
              std::chrono::duration<double, std::micro>(slot->start - scheduled).count());
        }
        ++issued;
        ++in_flight;
      }
      if (due() >= end && in_flight == 0) break;
      // Until a call ends, or the next one is due if a slot is free for it.
      const Clock::time_point wake =
          !idle.empty() && due() < end ? due() : now + std::chrono::milliseconds(100);
      void* tag = nullptr;
      bool ok = false;
      const auto status = cq_.AsyncNext(
          &tag, &ok, std::chrono::system_clock::now() + (wake - Clock::now()));
      if (status == grpc::CompletionQueue::SHUTDOWN) break;
      if (status == grpc::CompletionQueue::TIMEOUT) continue;
      auto* slot = static_cast<Slot*>(tag);
      Record(slot, ok, Clock::now(), slot->counted);
      idle.push_back(slot);
      --in_flight;
    }
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  std::vector<double>& latencies_us() { return latencies_us_; }
  std::vector<double>& lags_us() { return lags_us_; }
  long errors() const { return errors_; }

 private:
  void Record(Slot* slot, bool ok, Clock::time_point now, bool counted) {
    if (!counted) return;
    if (ok && slot->status.ok()) {
      latencies_us_.push_back(std::chrono::duration<double, std::micro>(now - slot->start).count());
    } else {
      ++errors_;
      if (errors_ == 1) {
        std::fprintf(stderr, "first error: %s\n", slot->status.error_message().c_str());
      }
    }
  }

  const Requests* requests_;
  std::atomic<size_t>* next_;
  Clock::time_point measure_from_;
  Clock::time_point end_;
  std::vector<double> lags_us_;
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
  const int threads = std::clamp(absl::GetFlag(FLAGS_threads), 1, concurrency);
  const int channel_count = std::max(1, absl::GetFlag(FLAGS_channels));
  const size_t articles = corpus->articles.size();
  Requests requests;
  for (const seealso::Article& a : corpus->articles) {
    if (mode == "text") {
      seealso::v1::GetRelatedForTextRequest& r = requests.by_text.emplace_back();
      r.set_title(a.title);
      r.set_question(a.question);
      r.set_subject(a.subject);
      r.set_k(absl::GetFlag(FLAGS_k));
    } else {
      seealso::v1::GetRelatedRequest& r = requests.by_id.emplace_back();
      r.set_id(a.id);
      r.set_k(absl::GetFlag(FLAGS_k));
    }
  }
  corpus->articles.clear();
  std::vector<std::unique_ptr<RelatedArticles::Stub>> stubs;
  for (int c = 0; c < channel_count; ++c) {
    // Without its own subchannel pool, channels to one address share one connection.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // No retry policy is configured, but the retry filter still copies every
    // call's metadata in case one were: measure the server, not that.
    if (!absl::GetFlag(FLAGS_retries)) args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    stubs.push_back(RelatedArticles::NewStub(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_server), grpc::InsecureChannelCredentials(), args)));
  }
  // Slot i is on thread i % threads and channel i % channels.
  std::vector<std::vector<Slot>> slots(static_cast<size_t>(threads));
  for (int i = 0; i < concurrency; ++i) {
    slots[static_cast<size_t>(i % threads)].emplace_back().stub =
        stubs[static_cast<size_t>(i % channel_count)].get();
  }
  std::atomic<size_t> next{0};
  std::vector<std::unique_ptr<Generator>> generators;
  for (int t = 0; t < threads; ++t) generators.push_back(std::make_unique<Generator>(&requests, &next));
  const auto warmup = std::chrono::duration<double>(absl::GetFlag(FLAGS_warmup_s));
  const auto duration = std::chrono::duration<double>(absl::GetFlag(FLAGS_duration_s));
  const Clock::time_point measure_from =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(warmup);
  const Clock::time_point end =
      measure_from + std::chrono::duration_cast<Clock::duration>(duration);
  const double rate = absl::GetFlag(FLAGS_rate);
  const Clock::time_point start = Clock::now();
  auto run = [&](size_t t) {
    if (rate > 0) {
      generators[t]->RunOpen(slots[t], rate / threads, start, measure_from, end);
    } else {
      generators[t]->Run(slots[t], measure_from, end);
    }
  };
  std::vector<std::thread> running;
  for (size_t t = 1; t < generators.size(); ++t) running.emplace_back(run, t);
  run(0);
  for (std::thread& t : running) t.join();

  std::vector<double> lat;
  long errors = 0;
  for (const auto& g : generators) {
    lat.insert(lat.end(), g->latencies_us().begin(), g->latencies_us().end());
    errors += g->errors();
  }
  std::sort(lat.begin(), lat.end());
  std::vector<double> lags;
  for (const auto& g : generators) {
    lags.insert(lags.end(), g->lags_us().begin(), g->lags_us().end());
  }
  std::sort(lags.begin(), lags.end());
  const double seconds = duration.count();
  if (rate > 0) std::printf("rate_per_s=%.0f lag_p99_us=%.0f ", rate, Percentile(lags, 0.99));
  std::printf(
      "mode=%s articles=%zu concurrency=%d threads=%d channels=%d duration_s=%.1f calls=%zu "
      "errors=%ld "
      "throughput_per_s=%.0f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f\n",
      mode.c_str(), articles, concurrency, threads, channel_count, seconds, lat.size(), errors,
      lat.size() / seconds, Percentile(lat, 0.50), Percentile(lat, 0.90), Percentile(lat, 0.99),
      lat.empty() ? 0.0 : lat.back());
  return errors == 0 && !lat.empty() ? 0 : 1;
}
