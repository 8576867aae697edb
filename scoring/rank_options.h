// The one set of knobs that turns similarity into a related list. The server,
// `links`, regen and eval all pass this struct, so they rank identically.
#ifndef SEEALSO_SCORING_RANK_OPTIONS_H_
#define SEEALSO_SCORING_RANK_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace seealso {

// How much work candidate generation may do per query (a knob for large
// corpora; see docs/benchmarks.md for recall against exact). All zero = exact.
struct Pruning {
  // Candidates come only from the query's `query_terms` heaviest terms
  // (0 = all terms) ...
  int32_t query_terms = 0;
  // ... each contributing its `postings_per_term` heaviest documents (0 = all).
  int32_t postings_per_term = 0;
  // The best `rescore` candidates by that partial score are then scored
  // exactly (0 = all candidates).
  int32_t rescore = 0;
  // A query whose terms' postings total at most this many entries is scored
  // exactly anyway: pruning only pays where exact scoring is expensive.
  int64_t exact_below_postings = 0;

  bool exact() const { return query_terms == 0 && postings_per_term == 0; }
  // Whether a query whose terms' postings total `postings` is scored
  // exactly: always without pruning, else when cheap enough.
  bool ScoresExactly(int64_t postings) const {
    return exact() || (exact_below_postings > 0 && postings <= exact_below_postings);
  }

  friend bool operator==(const Pruning&, const Pruning&) = default;
};

struct RankOptions {
  // Number of related articles wanted. Fewer come back only when fewer
  // distinct, non-duplicate candidates pass the filters.
  int k = 10;

  // --- Filters ---
  // Only candidates whose final score is > min_score.
  float min_score = 0.0f;
  // If non-empty, only candidates whose subject is one of these (exact match).
  std::vector<std::string> include_subjects = {};
  // Never candidates with one of these subjects, or one of these ids.
  std::vector<std::string> exclude_subjects = {};
  std::vector<int64_t> exclude_ids = {};

  // --- Policy ---
  // Multiplies the score of candidates sharing the query's subject (1 = off).
  float same_subject_boost = 1.0f;
  // Content dedup: two candidates whose mutual cosine is >= this are near
  // copies; only the better-ranked one is kept. > 1 turns it off.
  float near_duplicate_threshold = 0.8f;
  // A candidate whose cosine with the query is >= near_duplicate_threshold is
  // a near copy of the query itself, and dropped unless this is set.
  bool keep_near_copies_of_query = false;
  // Maximal marginal relevance: each pick maximises
  // mmr_lambda * score - (1 - mmr_lambda) * (max cosine to the picks so far).
  // 1 = off (pure relevance order).
  float mmr_lambda = 1.0f;
  // Added to the score of a candidate linked to the query by a title mention
  // (one names the other's title in its text; embeddings/mentions.h), after
  // same_subject_boost. 0 = off. Measured on a judged Q&A corpus
  // (docs/benchmarks.md, "Title mentions").
  float mention_boost = 0.3f;

  // --- Candidate generation ---
  // Exact for queries reading up to a million postings (every corpus up to
  // tens of thousands of articles); beyond, candidates from the 30 heaviest
  // query terms' 1,000 heaviest postings, the best 100 rescored exactly.
  // Recall@10 against exact: 1.0000 on 100,000 generated articles, 0.994 on
  // the real cstheory-meta corpus if it were pruned; rescoring is most of a
  // pruned query's cost, so 100 instead of 200 ranks a million articles ~25 %
  // faster (docs/benchmarks.md, "Candidate pruning").
  Pruning pruning = {.query_terms = 30,
                     .postings_per_term = 1000,
                     .rescore = 100,
                     .exact_below_postings = 1'000'000};

  // --- Output ---
  // If > 0, each result lists up to this many of its top contributing terms.
  int explain_terms = 0;

  friend bool operator==(const RankOptions&, const RankOptions&) = default;
};

// Why candidates were left out of one list (each candidate counted once, for
// the first rule it broke). Summed over lists by callers that want totals.
struct DedupStats {
  // Level 1, identity: the query article itself; an id already listed.
  int64_t self = 0;
  int64_t same_id = 0;
  // Level 2, address: a canonical URL or normalised title already listed.
  int64_t same_url = 0;
  int64_t same_title = 0;
  // Level 3, content: near copy of a listed candidate, or of the query.
  int64_t near_duplicate = 0;
  int64_t near_copy_of_query = 0;
  // Filters: min_score, subjects, excluded ids.
  int64_t filtered = 0;

  DedupStats& operator+=(const DedupStats& o) {
    self += o.self;
    same_id += o.same_id;
    same_url += o.same_url;
    same_title += o.same_title;
    near_duplicate += o.near_duplicate;
    near_copy_of_query += o.near_copy_of_query;
    filtered += o.filtered;
    return *this;
  }
};

}  // namespace seealso

#endif  // SEEALSO_SCORING_RANK_OPTIONS_H_
