// The related-articles engine: an immutable index over one corpus that answers
// "top-k related articles", deduplicated and filtered per RankOptions. The
// server, `links`, regen and eval all rank through this class, so they agree.
#ifndef SEEALSO_SCORING_RELATED_INDEX_H_
#define SEEALSO_SCORING_RELATED_INDEX_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/frozen_array.h"
#include "common/string_column.h"
#include "embeddings/article.h"
#include "embeddings/article_table.h"
#include "embeddings/mentions.h"
#include "embeddings/tfidf.h"
#include "scoring/rank_options.h"
#include "scoring/similarity.h"

namespace seealso {

// How much one term added to a score: query weight x candidate weight.
struct TermContribution {
  int32_t term = 0;  // column in RelatedIndex::embeddings().terms()
  float contribution = 0;
};

// One entry of a related list: `doc` indexes RelatedIndex::article().
struct Related {
  int32_t doc = 0;
  // Cosine similarity, times same_subject_boost where it applied, plus
  // mention_boost if `mentioned`.
  float score = 0;
  // Linked to the query by a title mention (RelatedIndex::mentions()), and
  // options.mention_boost added for it.
  bool mentioned = false;
  // Top contributing terms, largest first; empty unless options.explain_terms > 0.
  std::vector<TermContribution> explanation;
};

// The URL as compared for deduplication: lowercase, without scheme and host,
// query string, fragment, duplicate or trailing slashes. "" stays "".
std::string CanonicalUrl(absl::string_view url);

// The title as compared for deduplication: case-folded words separated by
// single spaces, punctuation dropped. "" stays "".
std::string NormalizedTitle(absl::string_view title);

// Shard `shard` of `shards` over n documents: the documents [first, second),
// consecutive near-equal ranges in document (= id) order, so shard outputs
// concatenated in shard order give the unsharded output.
std::pair<int32_t, int32_t> ShardRange(int32_t n, int shard, int shards);

// Related lists computed ahead of time for one RankOptions (`seealso index
// --lists`): list of document d is doc/score[start[d], start[d + 1]).
// RelatedIndex::TopK returns them, without ranking, for requests whose options
// equal `options` in everything but explain_terms, so a lookup gives exactly
// what ranking would.
struct PrecomputedLists {
  RankOptions options;
  FrozenArray<int64_t> start;
  FrozenArray<int32_t> doc;
  FrozenArray<float> score;
};

class RelatedIndex {
 public:
  // What an index is built for. kBatch keeps only what ranking the indexed
  // articles needs (TopK, RangeTopK, AllTopK, Cosine): its model has no
  // vocabulary (Embeddings::WithoutVocabulary), so it cannot rank drafts
  // (TopKForVector finds nothing), name explained terms or be written as a
  // snapshot; `links` and regen use it.
  enum class Use { kServe, kBatch };

  // Embeds `articles` (ids must be unique) and builds the search structures.
  // For kBatch, those hold only what ranking the articles with
  // `batch_pruning` reads (SimilarityIndex::ForPruning): any other options
  // still rank exactly as a full index would, but slower.
  static std::unique_ptr<const RelatedIndex> Build(std::vector<Article> articles,
                                                   const EmbeddingOptions& options = {},
                                                   Use use = Use::kServe,
                                                   const Pruning& batch_pruning = {});

  // An index over an already fitted model (e.g. a loaded snapshot) without
  // re-embedding: row i of embeddings.matrix() is articles[i]. `similarity`, if given,
  // must have been made over embeddings.matrix() (SimilarityIndex::FromParts)
  // and is used instead of building one. INVALID_ARGUMENT if the counts
  // differ or an id repeats.
  // `lists`, if given, are served by TopK (PrecomputedLists); INVALID_ARGUMENT
  // unless they have one list per article, in range.
  static absl::StatusOr<std::unique_ptr<const RelatedIndex>> FromEmbeddings(
      ArticleTable articles, Embeddings embeddings,
      std::optional<SimilarityIndex> similarity = std::nullopt,
      std::optional<PrecomputedLists> lists = std::nullopt, Mentions mentions = Mentions());

  int32_t size() const { return static_cast<int32_t>(articles_.size()); }
  // The article's metadata (id, path, title, subject, url); its text is not
  // kept once embedded.
  ArticleMeta article(int32_t doc) const { return articles_[static_cast<size_t>(doc)]; }
  // Every article's metadata, and the ids its related_articleN blocks linked to.
  const ArticleTable& articles() const { return articles_; }
  // CanonicalUrl(article(doc).url), computed once when the index is made.
  absl::string_view canonical_url(int32_t doc) const { return canonical_url_[static_cast<size_t>(doc)]; }
  const Embeddings& embeddings() const { return embeddings_; }
  // The search structures over embeddings().matrix().
  const SimilarityIndex& similarity() const { return similarity_; }
  // Which articles name each other's titles (options.mention_boost).
  const Mentions& mentions() const { return mentions_; }
  // The indexed articles whose titles any of `texts` (a draft's fields, each
  // searched on its own) holds, sorted, as Mentions finds them (the model's
  // options.mentions; titles too common in the corpus left out). The
  // matcher is built on the first call.
  std::vector<int32_t> MentionedIn(absl::Span<const absl::string_view> texts) const;
  // The lists TopK serves without ranking, if any.
  const std::optional<PrecomputedLists>& precomputed() const { return lists_; }
  // True if TopK(doc, options) without stats returns the precomputed list:
  // there is one, made with these options (explanations are computed apart).
  bool ListsServe(const RankOptions& options) const;
  // The document holding article `id`, if indexed.
  std::optional<int32_t> Find(int64_t id) const;
  // Cosine similarity of two indexed articles.
  float Cosine(int32_t a, int32_t b) const;

  // The related list of article `doc`, best first (score descending, then id
  // ascending, unless MMR reorders). Never `doc` itself, never an id,
  // canonical URL or normalised title twice (nor the query's own), never two
  // near copies, only scores > options.min_score. If `stats` is given, what
  // was left out and why is added to it. Without `stats`, a precomputed list
  // made with the same options is returned instead of ranking (same result).
  std::vector<Related> TopK(int32_t doc, const RankOptions& options,
                            DedupStats* stats = nullptr) const;

  // The same for a text that is not indexed (a draft), embedded with
  // embeddings().Embed(); `subject` drives same_subject_boost, `mentioned`
  // (sorted, e.g. MentionedIn({question, text})) mention_boost.
  std::vector<Related> TopKForVector(const SparseVector& query, absl::string_view subject,
                                     const RankOptions& options, DedupStats* stats = nullptr,
                                     absl::Span<const int32_t> mentioned = {}) const;

  // TopK for every document; result[doc] is TopK(doc). Uses `threads` threads
  // (0 = hardware concurrency); the result does not depend on it.
  std::vector<std::vector<Related>> AllTopK(const RankOptions& options, int threads = 0,
                                            DedupStats* stats = nullptr) const;

  // TopK for documents [begin, end) only; result[i] is TopK(begin + i). The
  // seam for sharded batch runs: shards of consecutive ranges, concatenated,
  // give exactly AllTopK.
  std::vector<std::vector<Related>> RangeTopK(int32_t begin, int32_t end,
                                              const RankOptions& options, int threads = 0,
                                              DedupStats* stats = nullptr) const;

 private:
  struct Query;
  RelatedIndex(ArticleTable articles, Embeddings embeddings,
               std::optional<SimilarityIndex> similarity = std::nullopt);
  // Scores and selects the list of `query`, with `acc` (cleared on return).
  std::vector<Related> Rank(const Query& query, const RankOptions& options,
                            ScoreAccumulator* acc, DedupStats* stats) const;
  // Picks the list from the candidates in `acc` (its scratch is used, its
  // scores are left as they are). If `complete` is false, acc
  // holds only the best candidates; when they run out before the list is
  // decided, sets *exhausted (the caller then rescores exhaustively).
  std::vector<Related> Select(const Query& query, ScoreAccumulator& acc,
                              const RankOptions& options, bool complete, DedupStats* stats,
                              bool* exhausted) const;

  // Accumulators for single queries (TopK, TopKForVector), reused across
  // calls: one holds a float and an int per article and a float per term
  // (88 MB at a million articles), so making and zeroing one per call cost
  // tens of milliseconds. At most kMaxIdle wait between calls; more are
  // made while more calls run at once.
  class AccumulatorPool {
   public:
    static constexpr size_t kMaxIdle = 8;
    explicit AccumulatorPool(int32_t docs) : docs_(docs) {}
    std::unique_ptr<ScoreAccumulator> Take();
    // `acc` must be cleared (Rank leaves it so).
    void Return(std::unique_ptr<ScoreAccumulator> acc);

   private:
    int32_t docs_;
    std::mutex mu_;
    std::vector<std::unique_ptr<ScoreAccumulator>> idle_;
  };
  std::vector<Related> RankOne(const Query& query, const RankOptions& options,
                               DedupStats* stats) const;

  ArticleTable articles_;
  StringColumn canonical_url_;
  StringColumn normalized_title_;
  absl::flat_hash_map<int64_t, int32_t> doc_of_id_;
  Embeddings embeddings_;
  SimilarityIndex similarity_;
  std::optional<PrecomputedLists> lists_;
  Mentions mentions_;
  mutable std::once_flag matcher_once_;
  mutable TitleMatcher matcher_;
  mutable AccumulatorPool pool_;
};

// The lists of every document of `index` under `options` (AllTopK on
// `threads` threads), to attach to an index via FromEmbeddings or a snapshot.
PrecomputedLists PrecomputeLists(const RelatedIndex& index, RankOptions options, int threads = 0);

}  // namespace seealso

#endif  // SEEALSO_SCORING_RELATED_INDEX_H_
