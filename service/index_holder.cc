#include "service/index_holder.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/checksum.h"

namespace seealso {
namespace {

class Fnv1a {
 public:
  void Add(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;
  }
  template <typename T>
  void AddValue(T v) {
    Add(&v, sizeof v);
  }
  uint64_t hash() const { return h_; }

 private:
  uint64_t h_ = 14695981039346656037ull;
};

}  // namespace

std::string IndexChecksum(const RelatedIndex& index) {
  Fnv1a h;
  for (int32_t doc = 0; doc < index.size(); ++doc) {
    const ArticleMeta a = index.article(doc);
    h.AddValue(a.id);
    h.AddValue(a.url.size());  // length-prefixed so ("ab","c") != ("a","bc")
    h.Add(a.url.data(), a.url.size());
  }
  // The matrix by XXH64 of its arrays in place: a million-article matrix is
  // gigabytes, too much to copy or to hash a byte at a time.
  const Embeddings::MatrixParts& m = index.embeddings().matrix_parts();
  h.AddValue(static_cast<int64_t>(m.rows));
  h.AddValue(static_cast<int64_t>(m.cols));
  h.AddValue(Checksum64(m.row_starts.bytes()));
  h.AddValue(Checksum64(m.columns.bytes()));
  h.AddValue(Checksum64(m.values.bytes()));
  return absl::StrFormat("%016x", h.hash());
}

IndexHolder::IndexHolder(IndexLoader loader, std::string default_source)
    : loader_(std::move(loader)), default_source_(std::move(default_source)) {}

std::shared_ptr<const Snapshot> IndexHolder::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

absl::StatusOr<std::shared_ptr<const Snapshot>> IndexHolder::Reload(const std::string& source) {
  const std::string& from = source.empty() ? default_source_ : source;
  if (from.empty()) return absl::InvalidArgumentError("source: no index source configured");
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::shared_ptr<const RelatedIndex>> index = loader_(from);
  if (!index.ok()) {
    return absl::Status(index.status().code(),
                        absl::StrCat("reload from ", from, ": ", index.status().message()));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Install(*std::move(index), from, seconds);
}

std::shared_ptr<const Snapshot> IndexHolder::Install(std::shared_ptr<const RelatedIndex> index,
                                                     std::string source, double build_seconds) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->version.checksum = IndexChecksum(*index);
  snapshot->source = std::move(source);
  snapshot->built_at = absl::Now();
  snapshot->build_seconds = build_seconds;
  // Documents are in id order, so try_emplace keeps the lowest id per URL.
  for (int32_t doc = 0; doc < index->size(); ++doc) {
    const absl::string_view url = index->canonical_url(doc);
    if (!url.empty()) snapshot->doc_of_url.try_emplace(url, doc);
  }
  snapshot->index = std::move(index);
  std::lock_guard<std::mutex> lock(mu_);
  snapshot->version.generation = ++generation_;
  current_ = std::move(snapshot);
  return current_;
}

}  // namespace seealso
