// Exact cosine similarity over L2-normalised sparse rows, via an inverted index.
#ifndef SEEALSO_SCORING_SIMILARITY_H_
#define SEEALSO_SCORING_SIMILARITY_H_

#include <cstdint>
#include <vector>

#include "embeddings/tfidf.h"

namespace seealso {

// Scores of one query against every document, accumulated sparsely: only the
// documents sharing a term with the query are touched. Reusable across
// queries; one per thread.
class ScoreAccumulator {
 public:
  explicit ScoreAccumulator(int32_t num_docs) : score_(num_docs, 0.0f) {}

  // Documents with a non-zero score, in the order first touched.
  const std::vector<int32_t>& touched() const { return touched_; }
  float score(int32_t doc) const { return score_[doc]; }

  void Add(int32_t doc, float x) {
    if (score_[doc] == 0.0f) touched_.push_back(doc);
    score_[doc] += x;
  }
  // Resets the touched documents to zero, in O(touched).
  void Clear() {
    for (int32_t d : touched_) score_[d] = 0.0f;
    touched_.clear();
  }

 private:
  std::vector<float> score_;
  std::vector<int32_t> touched_;
};

// The transpose of the document matrix: for each term, the documents holding
// it with their weights. Cosine of unit vectors is their dot product.
class SimilarityIndex {
 public:
  explicit SimilarityIndex(const SparseMatrix& docs);

  int32_t num_docs() const { return num_docs_; }

  // Adds query·doc to `acc` for every doc sharing a term with the query.
  // `acc` must be cleared by the caller between queries.
  void Score(const SparseVector& query, ScoreAccumulator* acc) const;
  // The same for row `doc` of the indexed matrix.
  void ScoreDoc(int32_t doc, ScoreAccumulator* acc) const;

 private:
  using ColMatrix = Eigen::SparseMatrix<float, Eigen::ColMajor, int32_t>;
  void ScoreTerm(int32_t term, float weight, ScoreAccumulator* acc) const;

  int32_t num_docs_;
  const SparseMatrix& docs_;
  ColMatrix postings_;
};

}  // namespace seealso

#endif  // SEEALSO_SCORING_SIMILARITY_H_
