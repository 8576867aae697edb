// TF-IDF vectors of a corpus, as rows of an Eigen sparse matrix.
#ifndef SEEALSO_EMBEDDINGS_TFIDF_H_
#define SEEALSO_EMBEDDINGS_TFIDF_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "Eigen/SparseCore"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/frozen_array.h"
#include "embeddings/analyzer.h"
#include "embeddings/article.h"
#include "embeddings/mentions.h"
#include "embeddings/vocabulary.h"

namespace seealso {

// Row i is document i; 32-bit indices keep the matrix compact.
using SparseMatrix = Eigen::SparseMatrix<float, Eigen::RowMajor, int32_t>;
using SparseVector = Eigen::SparseVector<float, Eigen::RowMajor, int32_t>;
// A read-only view of compressed row storage held elsewhere (a model's own
// arrays or a mapped snapshot), usable wherever Eigen takes a sparse matrix.
using SparseMatrixView = Eigen::Map<const SparseMatrix>;
// A view of `m`, which must be compressed and outlive the view.
inline SparseMatrixView ViewOf(const SparseMatrix& m) {
  return SparseMatrixView(m.rows(), m.cols(), m.nonZeros(), m.outerIndexPtr(), m.innerIndexPtr(),
                          m.valuePtr());
}

// How the weighted fields of an article become one vector. Every mode ends
// with L2 normalisation; idf and document frequency are per article, not per
// field (a term counts once per article whichever fields hold it).
enum class FieldCombination {
  // Weight multiplies the field's term counts, counts are summed over fields,
  // then tf is taken: like repeating the field `weight` times. A long answer
  // dominates the short fields unless their weights are large.
  kCounts,
  // tf is taken per field, then summed with the weights: v_t = idf_t * sum_f w_f tf(c_ft).
  kFieldTf,
  // Each field becomes its own L2-normalised tf-idf vector u_f, then v = sum_f w_f u_f.
  // A field's share of the article vector is set by its weight alone, not by
  // its length, so a one-line title can outweigh a long answer.
  kFieldVectors,
};

// The fields of an article, in the order the model combines them.
enum class Field { kTitle, kQuestion, kAnswer, kKeywords, kDescription, kSubject };
inline constexpr int kFieldCount = 6;
// A set of fields: bit i stands for Field i.
using FieldSet = uint32_t;
inline constexpr FieldSet FieldBit(Field f) { return FieldSet{1} << static_cast<int>(f); }
inline constexpr FieldSet kAllFields = (FieldSet{1} << kFieldCount) - 1;
// The fields' names in configuration files and snapshots, in Field order.
inline constexpr std::array<const char*, kFieldCount> kFieldNames = {
    "title", "question", "answer", "keywords", "description", "subject"};

// The set named by `names`: field names separated by commas, spaces or '+'
// ("" is the empty set); INVALID_ARGUMENT naming an unknown or repeated name.
absl::StatusOr<FieldSet> ParseFieldSet(absl::string_view names);
// The names of the fields in `set`, in field order.
std::vector<absl::string_view> FieldSetNames(FieldSet set);
// The same joined by commas.
std::string FieldSetText(FieldSet set);

// How much each field's terms count; 0 leaves the field out. The defaults
// were measured on a judged Q&A corpus (docs/benchmarks.md): the question
// carries the topic best, title and tags refine it, and description/subject
// repeat question and tags.
struct FieldWeights {
  FieldCombination combine = FieldCombination::kFieldVectors;
  double title = 0.5;
  double question = 1.5;
  double answer = 1.0;
  double keywords = 0.4;
  double description = 0.0;
  double subject = 0.0;
  // The fields whose adjacent words also make bigrams (when the analyzer
  // makes any). Not the answer by default: it is most of an article's words,
  // and its word pairs are mostly passing phrases, not the topic. On the dev
  // corpus its bigrams added 0.005 nDCG@10 (0.4555 -> 0.4604) but 53 % of the
  // batch time at 15,000 generated articles (docs/benchmarks.md).
  FieldSet bigram_fields = kAllFields & ~FieldBit(Field::kAnswer);

  friend bool operator==(const FieldWeights&, const FieldWeights&) = default;
};

struct TfidfOptions {
  // tf = 1 + ln(count) instead of count (for count > 1; a fractional
  // kCounts count below 1 stays as is, keeping tf monotone and positive).
  bool sublinear_tf = true;
  // idf = ln((1 + n) / (1 + df)) + 1 instead of ln(n / df) + 1.
  bool smooth_idf = true;
  // Terms in fewer than min_df documents, or in more than max_df * n, are dropped.
  int min_df = 1;
  double max_df = 1.0;
  // Bigrams ("a_b") also need at least bigram_min_df documents: a word pair
  // seen in one article only cannot link it to another, but inflates its norm.
  int bigram_min_df = 2;
  // Multiplies the tf-idf of bigrams: a bigram repeats the evidence of its
  // two unigrams, so full weight counts the shared phrase twice.
  double bigram_weight = 0.75;

  friend bool operator==(const TfidfOptions&, const TfidfOptions&) = default;
};

struct EmbeddingOptions {
  AnalyzerOptions analyzer;
  FieldWeights fields;
  TfidfOptions tfidf;
  // Which title mentions link articles (found at index time, from the text).
  MentionOptions mentions;

  friend bool operator==(const EmbeddingOptions&, const EmbeddingOptions&) = default;
};

// How Embeddings::Build works, never what it builds: every choice gives the
// same model, bit for bit (tests build both ways).
struct BuildMethod {
  // Up to this many bigram occurrences in the corpus, bigram document
  // frequencies are counted by sorting every article's distinct bigrams
  // (8 bytes each); beyond, a DfSketch first turns away most of the pairs
  // that occur in one article only, and memory stays small.
  uint64_t sort_pairs_up_to = uint64_t{1} << 25;
};

// An immutable TF-IDF model fitted on a corpus, with the corpus's vectors.
class Embeddings {
 public:
  // Fits vocabulary and idf on `articles` and embeds each one; row i of
  // matrix() is articles[i]. Terms are numbered in lexicographic order, so the
  // result does not depend on article order beyond row order.
  static Embeddings Build(const std::vector<Article>& articles, const EmbeddingOptions& options);
  // The same, built by `method` (the model does not depend on it).
  static Embeddings Build(const std::vector<Article>& articles, const EmbeddingOptions& options,
                          const BuildMethod& method);
  // The same, freeing every string of each article as soon as it is
  // analysed (ReleaseAllButId: only ids stay), so that neither the text
  // (4 GB at a million generated articles) nor the metadata stays in memory
  // beside the vocabulary merge and the growing matrix. The caller keeps the
  // metadata it needs first (e.g. an ArticleTable).
  static Embeddings BuildConsuming(std::vector<Article>* articles,
                                   const EmbeddingOptions& options);

  // The compressed row storage of a model's matrix: rows + 1 row starts,
  // then a column and a value per non-zero.
  struct MatrixParts {
    int32_t rows = 0;
    int32_t cols = 0;
    FrozenArray<int32_t> row_starts;
    FrozenArray<int32_t> columns;
    FrozenArray<float> values;
  };

  // A model from the parts a Build() produced (e.g. read back from a file).
  // INVALID_ARGUMENT, saying what is wrong, unless: idf and matrix columns
  // match the terms in number, idf values are finite, matrix values finite
  // and >= 0 (scoring relies on sums that never decrease), and the
  // matrix is well formed (row starts non-decreasing from 0 to the number of
  // non-zeros, column indices in range and strictly increasing within each
  // row). The arrays may be borrowed from a mapped file: nothing is copied.
  static absl::StatusOr<Embeddings> FromParts(const EmbeddingOptions& options, Vocabulary terms,
                                              FrozenArray<float> idf, MatrixParts matrix);
  // The same from owned containers (copies the matrix; for tests and tools).
  static absl::StatusOr<Embeddings> FromParts(const EmbeddingOptions& options, Vocabulary terms,
                                              std::vector<float> idf, const SparseMatrix& matrix);

  // Copies share the (immutable) vocabulary, idf and matrix.
  Embeddings(Embeddings&&) noexcept = default;
  Embeddings& operator=(Embeddings&&) noexcept = default;
  Embeddings(const Embeddings&) = default;
  Embeddings& operator=(const Embeddings&) = default;

  // One L2-normalised row per article (an all-zero row for an article without
  // terms); a view valid while this model (or a copy of it) lives.
  SparseMatrixView matrix() const {
    return SparseMatrixView(matrix_.rows, matrix_.cols, static_cast<int64_t>(matrix_.values.size()),
                            matrix_.row_starts.data(), matrix_.columns.data(),
                            matrix_.values.data());
  }
  const MatrixParts& matrix_parts() const { return matrix_; }
  // terms()[j] is the term of column j; idf()[j] its inverse document frequency.
  const Vocabulary& terms() const { return terms_; }
  absl::Span<const float> idf() const { return idf_.span(); }
  const EmbeddingOptions& options() const { return options_; }

  // The L2-normalised vector of an article that need not be in the corpus
  // (a draft), under this model's vocabulary and idf; unknown terms are ignored.
  // Empty if !can_embed().
  SparseVector Embed(const Article& article) const;

  // The same model without what only embedding new text and naming terms
  // need: the vocabulary's strings, idf and term weights (~0.66 GB at a
  // million generated articles). The matrix stays, so the corpus's own rows
  // rank as before, but terms() and idf() are empty, Embed() returns an empty
  // vector and the model cannot be written (WriteSnapshot refuses it). For
  // batch runs that only rank the corpus (`links`, regen). The memory is
  // returned once no copy of the original model is left.
  Embeddings WithoutVocabulary() const;
  // False for a model made by WithoutVocabulary() (of a non-empty vocabulary).
  bool can_embed() const { return terms_.size() == static_cast<size_t>(matrix_.cols); }

 private:
  Embeddings() { matrix_.row_starts = FrozenArray<int32_t>(std::vector<int32_t>{0}); }
  // Build(), releasing the text of `release` (which is `articles` or null).
  static Embeddings Build(const std::vector<Article>& articles, const EmbeddingOptions& options,
                          const BuildMethod& method, std::vector<Article>* release);

  // An article's (column, count) pairs, field by field in FieldWeights order:
  // field f is entries[start[f], start[f + 1]), each column once per field.
  struct FieldColumns {
    std::array<uint32_t, 7> start{};
    std::vector<std::pair<int32_t, int32_t>> entries;
  };
  // Turns counts into an L2-normalised tf-idf row, sorted by column.
  std::vector<std::pair<int32_t, float>> Weigh(const FieldColumns& columns) const;
  double Tf(double count) const;
  // Sets idf_ and term_weight_ from document frequencies (df[j] of column j).
  void SetIdf(const std::vector<int64_t>& df, double n);
  // Sets term_weight_ from idf_ and the terms.
  void SetTermWeights();

  EmbeddingOptions options_;
  Analyzer analyzer_;
  Vocabulary terms_;
  FrozenArray<float> idf_;
  // idf, times bigram_weight for a bigram: what a term's tf is multiplied by.
  FrozenArray<double> term_weight_;
  MatrixParts matrix_;
};

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_TFIDF_H_
