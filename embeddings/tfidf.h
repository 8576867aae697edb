// TF-IDF vectors of a corpus, as rows of an Eigen sparse matrix.
#ifndef SEEALSO_EMBEDDINGS_TFIDF_H_
#define SEEALSO_EMBEDDINGS_TFIDF_H_

#include <cstdint>
#include <string>
#include <vector>

#include "Eigen/SparseCore"
#include "absl/container/flat_hash_map.h"
#include "embeddings/analyzer.h"
#include "embeddings/article.h"

namespace seealso {

// Row i is document i; 32-bit indices keep the matrix compact.
using SparseMatrix = Eigen::SparseMatrix<float, Eigen::RowMajor, int32_t>;
using SparseVector = Eigen::SparseVector<float, Eigen::RowMajor, int32_t>;

// How much each field's terms count. A weight multiplies the field's term
// counts before tf is taken, like repeating the field that many times.
struct FieldWeights {
  double title = 1.0;
  double question = 1.0;
  double answer = 1.0;
  double keywords = 1.0;
  double description = 0.0;
  double subject = 0.0;
};

struct TfidfOptions {
  // tf = 1 + ln(count) instead of count.
  bool sublinear_tf = true;
  // idf = ln((1 + n) / (1 + df)) + 1 instead of ln(n / df) + 1.
  bool smooth_idf = true;
  // Terms in fewer than min_df documents, or in more than max_df * n, are dropped.
  int min_df = 1;
  double max_df = 1.0;
};

struct EmbeddingOptions {
  AnalyzerOptions analyzer;
  FieldWeights fields;
  TfidfOptions tfidf;
};

// An immutable TF-IDF model fitted on a corpus, with the corpus's vectors.
class Embeddings {
 public:
  // Fits vocabulary and idf on `articles` and embeds each one; row i of
  // matrix() is articles[i]. Terms are numbered in lexicographic order, so the
  // result does not depend on article order beyond row order.
  static Embeddings Build(const std::vector<Article>& articles, const EmbeddingOptions& options);

  // One L2-normalised row per article (an all-zero row for an article without terms).
  const SparseMatrix& matrix() const { return matrix_; }
  // terms()[j] is the term of column j; idf()[j] its inverse document frequency.
  const std::vector<std::string>& terms() const { return terms_; }
  const std::vector<float>& idf() const { return idf_; }
  const EmbeddingOptions& options() const { return options_; }

  // The L2-normalised vector of an article that need not be in the corpus
  // (a draft), under this model's vocabulary and idf; unknown terms are ignored.
  SparseVector Embed(const Article& article) const;

 private:
  // Weighted term counts of one article, keyed by term.
  absl::flat_hash_map<std::string, double> Count(const Article& article) const;
  // Turns counts into an L2-normalised tf-idf row (sorted by column).
  std::vector<std::pair<int32_t, float>> Weigh(
      const absl::flat_hash_map<std::string, double>& counts) const;

  EmbeddingOptions options_;
  Analyzer analyzer_;
  std::vector<std::string> terms_;
  absl::flat_hash_map<std::string, int32_t> column_;
  std::vector<float> idf_;
  SparseMatrix matrix_;
};

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_TFIDF_H_
