#include "scoring/similarity.h"

namespace seealso {

SimilarityIndex::SimilarityIndex(const SparseMatrix& docs)
    : num_docs_(static_cast<int32_t>(docs.rows())), docs_(docs), postings_(docs) {
  postings_.makeCompressed();
}

void SimilarityIndex::ScoreTerm(int32_t term, float weight, ScoreAccumulator* acc) const {
  for (ColMatrix::InnerIterator it(postings_, term); it; ++it) {
    acc->Add(static_cast<int32_t>(it.row()), weight * it.value());
  }
}

void SimilarityIndex::Score(const SparseVector& query, ScoreAccumulator* acc) const {
  for (SparseVector::InnerIterator it(query); it; ++it) {
    ScoreTerm(static_cast<int32_t>(it.index()), it.value(), acc);
  }
}

void SimilarityIndex::ScoreDoc(int32_t doc, ScoreAccumulator* acc) const {
  for (SparseMatrix::InnerIterator it(docs_, doc); it; ++it) {
    ScoreTerm(static_cast<int32_t>(it.col()), it.value(), acc);
  }
}

}  // namespace seealso
