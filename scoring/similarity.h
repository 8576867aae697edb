// Cosine similarity over L2-normalised sparse rows, via an inverted index:
// exact, or with bounded candidate generation for large corpora.
#ifndef SEEALSO_SCORING_SIMILARITY_H_
#define SEEALSO_SCORING_SIMILARITY_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/frozen_array.h"
#include "embeddings/tfidf.h"
#include "scoring/pair_dot_cache.h"
#include "scoring/rank_options.h"

namespace seealso {

// A sparse row with increasing term indices: a matrix row or a query vector.
struct SparseRow {
  const int32_t* term = nullptr;
  const float* weight = nullptr;
  int64_t size = 0;
};

SparseRow RowOf(const SparseMatrixView& m, int32_t row);
SparseRow RowOf(const SparseMatrix& m, int32_t row);  // m must be compressed
SparseRow RowOf(const SparseVector& v);

// Calls f(term, a_weight * b_weight) for each term the rows share, in
// increasing term order, by merging them.
template <typename F>
void ForSharedTerms(SparseRow a, SparseRow b, F f) {
  for (int64_t i = 0, j = 0; i < a.size && j < b.size;) {
    if (a.term[i] < b.term[j]) {
      ++i;
    } else if (b.term[j] < a.term[i]) {
      ++j;
    } else {
      f(a.term[i], a.weight[i] * b.weight[j]);
      ++i;
      ++j;
    }
  }
}

// Dot product (= cosine for unit rows), summed in increasing term order.
float Dot(SparseRow a, SparseRow b);

// Work space for a ScatteredRow, all zero between uses: one float per term,
// and ScatteredRow::kFilterWords words of a bit filter.
struct RowScratch {
  float* dense = nullptr;
  uint64_t* filter = nullptr;
};

// A row scattered into a zeroed dense array of one float per term, so that
// its dot product with another row is a gather over that row instead of a
// merge: terms it lacks add exact zeros, so the sum is bit-identical to Dot().
// A small filter of its hashed terms sits in front of the array: with tens of
// millions of terms the array is far larger than the caches, and most of the
// other row's terms are not in this one, so the filter (in L1) turns away
// most lookups that would each miss. Zeroes the scratch again when destroyed.
class ScatteredRow {
 public:
  // 2^16 bits, 8 KB: a few hundred terms leave it under 1 % full.
  static constexpr int kFilterLogBits = 16;
  static constexpr size_t kFilterWords = (size_t{1} << kFilterLogBits) / 64;
  // The filter bit of a term (multiplicative hashing: consecutive terms spread).
  static uint32_t FilterBit(int32_t term) {
    return (static_cast<uint32_t>(term) * 0x9E3779B1u) >> (32 - kFilterLogBits);
  }

  ScatteredRow(SparseRow row, RowScratch scratch) : row_(row), scratch_(scratch) {
    for (int64_t i = 0; i < row_.size; ++i) {
      scratch_.dense[row_.term[i]] = row_.weight[i];
      const uint32_t bit = FilterBit(row_.term[i]);
      scratch_.filter[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
  }
  ~ScatteredRow() {
    for (int64_t i = 0; i < row_.size; ++i) {
      scratch_.dense[row_.term[i]] = 0.0f;
      scratch_.filter[FilterBit(row_.term[i]) >> 6] = 0;
    }
  }
  ScatteredRow(const ScatteredRow&) = delete;
  ScatteredRow& operator=(const ScatteredRow&) = delete;

  // The gather, skipping terms the filter rules out: each would add
  // 0 * weight = +-0, and adding a zero never changes a sum that starts at +0
  // (such a sum is never -0), so the skipped terms change no bit. Best when
  // few of other's terms are in this row (a candidate being rescored).
  float Dot(SparseRow other) const {
    float sum = 0;
    for (int64_t i = 0; i < other.size; ++i) {
      const int32_t t = other.term[i];
      const uint32_t bit = FilterBit(t);
      if ((scratch_.filter[bit >> 6] >> (bit & 63)) & 1) sum += scratch_.dense[t] * other.weight[i];
    }
    return sum;
  }
  // The same sum, for rows sharing many terms with this one (two candidates
  // of one query): the filter then passes a third or more of other's terms,
  // too many for the branch to be predicted, so a term it rules out reads a
  // zero kept in L1 instead of its slot, without a branch. Bit-identical to
  // Dot(). Slower than Dot() where few terms pass: every term then waits on
  // the sum (rescoring at a million articles: +7 %).
  float DotOfOverlapping(SparseRow other) const {
    static constexpr float kZero = 0.0f;
    const auto zero = reinterpret_cast<uintptr_t>(&kZero);
    float sum = 0;
    for (int64_t i = 0; i < other.size; ++i) {
      const int32_t t = other.term[i];
      const uint32_t bit = FilterBit(t);
      const uintptr_t hit = 0 - ((scratch_.filter[bit >> 6] >> (bit & 63)) & 1);
      const auto slot = reinterpret_cast<uintptr_t>(scratch_.dense + t);
      sum += *reinterpret_cast<const float*>((slot & hit) | (zero & ~hit)) * other.weight[i];
    }
    return sum;
  }

 private:
  SparseRow row_;
  RowScratch scratch_;
};

// Scores of one query against the documents, kept sparsely: only documents
// sharing a term with the query are touched. Reusable across queries; one per
// thread.
class ScoreAccumulator {
 public:
  explicit ScoreAccumulator(int32_t num_docs)
      : score_(num_docs, 0.0f), touched_(static_cast<size_t>(num_docs) + 1) {}

  // Documents with a non-zero score.
  absl::Span<const int32_t> touched() const { return {touched_.data(), count_}; }
  // Calls f(doc, score) for each touched document whose score is >= `min`,
  // in no fixed order. With min > 0 and most documents touched, a dense scan:
  // sequential reads and a rarely taken branch beat the scattered reads.
  template <typename F>
  void ForEachAtLeast(float min, F f) const {
    if (min > 0.0f && count_ * 4 > score_.size()) {
      for (size_t d = 0; d < score_.size(); ++d) {
        if (score_[d] >= min) f(static_cast<int32_t>(d), score_[d]);
      }
    } else {
      for (int32_t d : touched()) {
        if (score_[d] >= min) f(d, score_[d]);
      }
    }
  }
  float score(int32_t doc) const { return score_[doc]; }
  int32_t num_docs() const { return static_cast<int32_t>(score_.size()); }
  // A hint that `doc`'s score will soon be added to: at a million documents
  // the scores are far larger than the caches.
  void Prefetch(int32_t doc) const { __builtin_prefetch(&score_[static_cast<size_t>(doc)], 1); }

  // Branch-free: the document is always written after the touched ones and
  // kept only if it becomes non-zero now (a mispredicted branch per posting
  // costs more). x must be >= 0, so a document is never kept twice.
  void Add(int32_t doc, float x) {
    touched_[count_] = doc;
    count_ += static_cast<size_t>((score_[doc] == 0.0f) & (x != 0.0f));
    score_[doc] += x;
  }
  // Zeroed scratch for a ScatteredRow over `terms` vocabulary terms; whoever
  // fills it must zero it again. Kept here, as the accumulator is per thread.
  RowScratch QueryScratch(size_t terms) {
    if (query_.size() < terms) query_.assign(terms, 0.0f);
    if (filter_.empty()) filter_.assign(ScatteredRow::kFilterWords, 0);
    return {query_.data(), filter_.data()};
  }

  // An empty buffer for a query's (partial score, document) candidates, kept
  // here so that a pruned query allocates none (at a million articles it
  // holds ~30,000: 240 KB per query).
  std::vector<std::pair<float, int32_t>>& Candidates() {
    candidates_.clear();
    return candidates_;
  }

  // Calls f(doc, score) for each touched document, in touched order, and
  // resets it: Clear() in the same pass, so each score's cache line is
  // fetched once (prefetched ahead: the touched documents are scattered).
  template <typename F>
  void Drain(F f) {
    constexpr size_t kAhead = 16;
    for (size_t i = 0; i < count_; ++i) {
      if (i + kAhead < count_) Prefetch(touched_[i + kAhead]);
      const int32_t d = touched_[i];
      f(d, score_[static_cast<size_t>(d)]);
      score_[static_cast<size_t>(d)] = 0.0f;
    }
    count_ = 0;
  }

  // Resets the touched documents to zero: one store each, or where more
  // than an eighth of the documents are touched (a third, in `links` on
  // 15,000 generated articles), the whole array at once, sequentially
  // (ranking there ~3 % faster).
  void Clear() {
    if (count_ * 8 > score_.size()) {
      std::fill(score_.begin(), score_.end(), 0.0f);
    } else {
      for (int32_t d : touched()) score_[d] = 0.0f;
    }
    count_ = 0;
  }

 private:
  std::vector<float> score_;
  std::vector<int32_t> touched_;  // the first count_ are the touched documents
  size_t count_ = 0;
  std::vector<float> query_;
  std::vector<uint64_t> filter_;
  std::vector<std::pair<float, int32_t>> candidates_;
};

// The inverted index of a document matrix: for each term, the documents
// holding it; the first kImpactPrefix of them are the term's heaviest, in
// decreasing weight, so a prefix is the term's most telling documents
// (except in an index ForPruning left in document order; see there).
//
// Exact top candidates without touching every posting (ScoreTop): terms are
// put in bands by document frequency (band b holds df in (n/2^(b+1), n/2^b],
// the last band everything rarer). Rare bands are scored term at a time; what
// the common bands could still add to a document is bounded per band by
// Cauchy-Schwarz, |q_b| * |d_b|, from per-document band norms. Only documents
// whose bound can reach the want-th best exact score are scored exactly. The
// common terms hold most postings (sum of df^2) but little weight, so most of
// the work is skipped while the result stays exact.
//
// An index may be cut for one Pruning (ForPruning): a term then keeps only
// the postings that ranking the matrix's own rows with that Pruning reads.
// Every method still answers as the full index would, bit for bit: document
// frequencies are the true ones, and a term read beyond what was kept has its
// postings recovered from the matrix (a scan of every row: slow, but only
// queries or options the index was not cut for get there).
class SimilarityIndex {
 public:
  // Pruning::postings_per_term is capped at this.
  static constexpr int64_t kImpactPrefix = 4096;
  // Bands 0 .. kBands - 1 by document frequency; band kBands is the rest.
  static constexpr int kBands = 12;

  // Everything the index derives from its document matrix, as flat arrays:
  // what a snapshot stores so that loading one rebuilds nothing.
  struct Parts {
    // Postings of term t: [postings_start[t], postings_start[t + 1]) in
    // postings_doc and postings_weight.
    FrozenArray<int64_t> postings_start;
    FrozenArray<int32_t> postings_doc;
    FrozenArray<float> postings_weight;
    // band_norm[d * kBands + b]: L2 norm of document d's terms in band b.
    FrozenArray<float> band_norm;
    // heavy_norm[(l - 1) * docs + d], level l in 1..kBands: the norm of
    // document d's terms in bands < l.
    FrozenArray<float> heavy_norm;
    // Level l's documents with a non-zero heavy norm, largest first:
    // heavy_order[heavy_order_start[l - 1], heavy_order_start[l]).
    FrozenArray<int64_t> heavy_order_start;
    FrozenArray<int32_t> heavy_order;
  };

  // Builds the index of `docs`, whose arrays must outlive it (the Embeddings
  // holding them, or a copy of it, must be kept).
  explicit SimilarityIndex(const SparseMatrixView& docs);
  // The same over a compressed matrix that must outlive the index.
  explicit SimilarityIndex(const SparseMatrix& docs) : SimilarityIndex(ViewOf(docs)) {}

  // The index of `docs` cut for ranking its own rows with `pruning` (the
  // batch's memory: at a million articles it reads about half the postings).
  // A term keeps all its postings if some row takes the exact path
  // (pruning.ScoresExactly) and so reads them all; else only its first
  // min(postings_per_term, kImpactPrefix), as the full index orders them.
  // Nothing is cut for an exact pruning. If no row takes the pruned path,
  // no prefix is read, so the postings stay in document order (not sorted
  // by weight). The full postings are never held, so building it never
  // needs the full index's memory. On `threads` threads (0 = hardware
  // concurrency); the index does not depend on it.
  static SimilarityIndex ForPruning(const SparseMatrixView& docs, const Pruning& pruning,
                                    int threads = 0);

  // An index from the parts another index over the same `docs` produced
  // (e.g. read back from a snapshot); nothing is rebuilt. INVALID_ARGUMENT,
  // saying what is wrong, unless every array has the size `docs` implies and
  // every offset and document number is in range, so that no query can read
  // out of bounds, whatever the bytes.
  static absl::StatusOr<SimilarityIndex> FromParts(const SparseMatrixView& docs, Parts parts);
  // The postings as stored: of a cut index, not every term's (see cut()).
  const Parts& parts() const { return parts_; }
  // True if some term's postings were cut, or their heaviest were not put
  // first (ForPruning, for a pruning no row takes the pruned path under):
  // the parts are then not the index of the matrix, so they must never be
  // written to a snapshot.
  bool cut() const { return !df_.empty() || !impact_ordered_; }

  int32_t num_docs() const { return rows_; }

  // Fills the cleared `acc` with query . doc for candidate documents. Exact
  // (every document sharing a term) when `pruning.exact()`; otherwise only the
  // candidates `pruning` admits, each with its exact score
  // (`pruning.exact_below_postings` is the caller's to apply).
  void Score(SparseRow query, const Pruning& pruning, ScoreAccumulator* acc) const;

  // The number of postings of the query's terms: the work of scoring them all.
  // From the true document frequencies, also of a cut index, so that a
  // query's path (Pruning::ScoresExactly) never depends on the cut.
  int64_t Postings(SparseRow query) const;

  // Fills the cleared `acc` with exact scores, bit-identical to
  // Dot(query, doc): either of every document sharing a term with the query
  // (returns true; done when that is cheap or fewer than `want` documents
  // score above 0), or of exactly the documents scoring at least as high as
  // the `want`-th best, ties included (returns false). If the query is
  // document `query_doc`'s row and `cache` is given, the exact scores it
  // verifies are looked up there first and remembered there (the answer is
  // the same either way).
  bool ScoreTop(SparseRow query, int want, ScoreAccumulator* acc,
                PairDotCache* cache = nullptr, int32_t query_doc = -1) const;

  // Exact scores of every document sharing a term with the query, into the
  // cleared `acc`; bit-identical to Dot(query, doc).
  void ScoreExact(SparseRow query, ScoreAccumulator* acc) const;

 private:
  // `df`: every term's document frequency if some were cut, else empty;
  // `impact_ordered`: whether each term's heaviest postings come first.
  SimilarityIndex(const SparseMatrixView& docs, Parts parts, std::vector<int32_t> df = {},
                  bool impact_ordered = true);
  // The parts of the index of `docs`, computed, on `threads` threads; if
  // `cut_for` is given, with only the postings ranking the rows with it
  // reads (ForPruning), and *df set to the true document frequencies (left
  // empty if nothing was cut).
  static Parts BuildParts(const SparseMatrixView& docs, int threads,
                          const Pruning* cut_for = nullptr, std::vector<int32_t>* df = nullptr,
                          bool* impact_ordered = nullptr);
  // Band of a term with document frequency `df` among `n` documents.
  static int BandOf(int64_t df, int64_t n);
  // Term t's true document frequency (what a full index stores).
  int64_t Df(int32_t t) const {
    return df_.empty() ? offset_[t + 1] - offset_[t] : df_[static_cast<size_t>(t)];
  }
  // A count of postings meaning all of them.
  static constexpr int64_t kAll = std::numeric_limits<int64_t>::max();
  // Postings of one term: into the index, or into a Spill.
  struct TermPostings {
    const int32_t* doc;
    const float* weight;
    int64_t size;
  };
  struct Spill {
    std::vector<int32_t> doc;
    std::vector<float> weight;
  };
  // The first min(count, df) postings of term t as a set (what a sum over
  // them needs; recovered ones come in no fixed order): the stored ones if
  // the index kept them, else recovered from the matrix into *spill, which
  // is the guard that keeps a cut index exact.
  TermPostings PostingsOf(int32_t t, int64_t count, Spill* spill) const {
    const int64_t stored = offset_[t + 1] - offset_[t];
    if (stored >= count || df_.empty() || stored == df_[static_cast<size_t>(t)]) {
      if (count < stored && !impact_ordered_) return Heaviest(t, count, spill);
      return {doc_ + offset_[t], weight_ + offset_[t], std::min(stored, count)};
    }
    return Recover(t, count, spill);
  }
  // The first `count` < df of term t's postings as a set, selected from the
  // stored ones into *spill: an index not impact-ordered has them all.
  TermPostings Heaviest(int32_t t, int64_t count, Spill* spill) const;
  // The slow half of PostingsOf: a binary search in every row.
  TermPostings Recover(int32_t t, int64_t count, Spill* spill) const;
  // The heaviest `count` of (weight, document) `postings` (all if fewer), into *spill.
  static TermPostings KeepHeaviest(std::vector<std::pair<float, int32_t>> postings,
                                   int64_t count, Spill* spill);
  SparseRow Row(int32_t d) const {
    const int32_t begin = row_start_[d];
    return {column_ + begin, value_ + begin, row_start_[d + 1] - begin};
  }
  absl::Span<const float> HeavyNorm(int level) const {
    return parts_.heavy_norm.span().subspan(static_cast<size_t>(level - 1) * rows_, rows_);
  }
  absl::Span<const int32_t> HeavyOrder(int level) const {
    const int64_t* start = parts_.heavy_order_start.data();
    return parts_.heavy_order.span().subspan(static_cast<size_t>(start[level - 1]),
                                             static_cast<size_t>(start[level] - start[level - 1]));
  }

  // The document matrix (borrowed).
  int32_t rows_ = 0;
  int32_t cols_ = 0;
  const int32_t* row_start_ = nullptr;
  const int32_t* column_ = nullptr;
  const float* value_ = nullptr;
  Parts parts_;
  // Shortcuts into parts_ for the hot loops (declared after it: set from it).
  const int64_t* offset_ = nullptr;
  const int32_t* doc_ = nullptr;
  const float* weight_ = nullptr;
  const float* band_norm_ = nullptr;
  // band_max_[b]: the largest band_norm of band b over all documents.
  std::array<float, kBands> band_max_{};
  // Of a cut index, every term's true document frequency; else empty.
  std::vector<int32_t> df_;
  // False if the postings were left in document order (see cut()).
  bool impact_ordered_ = true;
};

}  // namespace seealso

#endif  // SEEALSO_SCORING_SIMILARITY_H_
