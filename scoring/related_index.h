// The related-articles engine: an immutable index over one corpus that answers
// "top-k related articles", deduplicated. The server, `links` and regen all
// rank through this class, so they agree.
#ifndef SEEALSO_SCORING_RELATED_INDEX_H_
#define SEEALSO_SCORING_RELATED_INDEX_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "embeddings/article.h"
#include "embeddings/tfidf.h"
#include "scoring/similarity.h"

namespace seealso {

struct RankOptions {
  // Number of related articles wanted.
  int k = 10;
};

// One entry of a related list: `doc` indexes RelatedIndex::article().
struct Related {
  int32_t doc = 0;
  float score = 0;
};

// The URL as compared for deduplication: lowercase, without scheme and host,
// query string, fragment, duplicate or trailing slashes. "" stays "".
std::string CanonicalUrl(absl::string_view url);

class RelatedIndex {
 public:
  // Embeds `articles` (ids must be unique) and builds the search structures.
  static std::unique_ptr<const RelatedIndex> Build(std::vector<Article> articles,
                                                   const EmbeddingOptions& options = {});

  int32_t size() const { return static_cast<int32_t>(articles_.size()); }
  const Article& article(int32_t doc) const { return articles_[doc]; }
  const Embeddings& embeddings() const { return embeddings_; }
  // The document holding article `id`, if indexed.
  std::optional<int32_t> Find(int64_t id) const;

  // The top-k articles related to article `doc`, best first (score descending,
  // then id ascending). Never `doc` itself, never an id or canonical URL twice,
  // never an article sharing the query's id or URL; only scores > 0.
  std::vector<Related> TopK(int32_t doc, const RankOptions& options) const;

  // TopK for every document; result[doc] is TopK(doc). Uses `threads` threads
  // (0 = hardware concurrency); the result does not depend on it.
  std::vector<std::vector<Related>> AllTopK(const RankOptions& options, int threads = 0) const;

 private:
  RelatedIndex(std::vector<Article> articles, const EmbeddingOptions& options);
  std::vector<Related> Select(std::optional<int32_t> self, const ScoreAccumulator& acc,
                              const RankOptions& options) const;

  std::vector<Article> articles_;
  std::vector<std::string> canonical_url_;
  absl::flat_hash_map<int64_t, int32_t> doc_of_id_;
  Embeddings embeddings_;
  SimilarityIndex similarity_;
};

}  // namespace seealso

#endif  // SEEALSO_SCORING_RELATED_INDEX_H_
