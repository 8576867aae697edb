#include "scoring/related_index.h"

#include <algorithm>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace seealso {

std::string CanonicalUrl(absl::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  if (size_t scheme = url.find("://"); scheme != absl::string_view::npos) {
    url.remove_prefix(scheme + 3);
    size_t path = url.find('/');
    url = path == absl::string_view::npos ? absl::string_view() : url.substr(path);
  }
  std::string out;
  for (char c : url) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

RelatedIndex::RelatedIndex(std::vector<Article> articles, const EmbeddingOptions& options)
    : articles_(std::move(articles)),
      embeddings_(Embeddings::Build(articles_, options)),
      similarity_(embeddings_.matrix()) {
  canonical_url_.reserve(articles_.size());
  for (size_t i = 0; i < articles_.size(); ++i) {
    canonical_url_.push_back(CanonicalUrl(articles_[i].url));
    doc_of_id_.emplace(articles_[i].id, static_cast<int32_t>(i));
  }
}

std::unique_ptr<const RelatedIndex> RelatedIndex::Build(std::vector<Article> articles,
                                                        const EmbeddingOptions& options) {
  return std::unique_ptr<const RelatedIndex>(new RelatedIndex(std::move(articles), options));
}

std::optional<int32_t> RelatedIndex::Find(int64_t id) const {
  auto it = doc_of_id_.find(id);
  if (it == doc_of_id_.end()) return std::nullopt;
  return it->second;
}

std::vector<Related> RelatedIndex::Select(std::optional<int32_t> self, const ScoreAccumulator& acc,
                                          const RankOptions& options) const {
  std::vector<Related> candidates;
  candidates.reserve(acc.touched().size());
  for (int32_t d : acc.touched()) {
    if (acc.score(d) > 0) candidates.push_back({d, acc.score(d)});
  }
  auto better = [this](const Related& a, const Related& b) {
    if (a.score != b.score) return a.score > b.score;
    return articles_[a.doc].id < articles_[b.doc].id;
  };
  std::vector<Related> out;
  absl::flat_hash_set<int64_t> seen_ids;
  absl::flat_hash_set<absl::string_view> seen_urls;
  if (self) {
    seen_ids.insert(articles_[*self].id);
    if (!canonical_url_[*self].empty()) seen_urls.insert(canonical_url_[*self]);
  }
  // Sort only a prefix large enough for k survivors; widen it if dedup ate it.
  size_t sorted = 0;
  size_t want = static_cast<size_t>(options.k) * 2 + 8;
  size_t next = 0;
  while (static_cast<int>(out.size()) < options.k && next < candidates.size()) {
    if (next == sorted) {
      sorted = std::min(candidates.size(), std::max(want, sorted * 4));
      std::partial_sort(candidates.begin() + static_cast<std::ptrdiff_t>(next),
                        candidates.begin() + static_cast<std::ptrdiff_t>(sorted), candidates.end(),
                        better);
    }
    const Related& c = candidates[next++];
    const Article& a = articles_[c.doc];
    if (!seen_ids.insert(a.id).second) continue;
    const std::string& url = canonical_url_[c.doc];
    if (!url.empty() && !seen_urls.insert(url).second) continue;
    out.push_back(c);
  }
  return out;
}

std::vector<Related> RelatedIndex::TopK(int32_t doc, const RankOptions& options) const {
  ScoreAccumulator acc(size());
  similarity_.ScoreDoc(doc, &acc);
  return Select(doc, acc, options);
}

std::vector<std::vector<Related>> RelatedIndex::AllTopK(const RankOptions& options,
                                                        int threads) const {
  std::vector<std::vector<Related>> result(articles_.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int32_t n = size();
  auto work = [&](int t) {
    ScoreAccumulator acc(n);
    // Interleaved rows balance long and short articles across threads.
    for (int32_t doc = t; doc < n; doc += threads) {
      similarity_.ScoreDoc(doc, &acc);
      result[doc] = Select(doc, acc, options);
      acc.Clear();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
  return result;
}

}  // namespace seealso
