#include "embeddings/tfidf.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "common/parallel.h"
#include "absl/strings/str_cat.h"

namespace seealso {
namespace {

std::array<double, 6> WeightArray(const FieldWeights& w) {
  return {w.title, w.question, w.answer, w.keywords, w.description, w.subject};
}

}  // namespace

Embeddings::FieldCounts Embeddings::Count(const Article& article) const {
  const std::array<const std::string*, 6> texts = {&article.title,    &article.question,
                                                   &article.answer,   &article.keywords,
                                                   &article.description, &article.subject};
  const std::array<double, 6> weights = WeightArray(options_.fields);
  FieldCounts counts;
  std::vector<std::string> terms;
  for (size_t f = 0; f < texts.size(); ++f) {
    if (weights[f] <= 0 || texts[f]->empty()) continue;
    terms.clear();
    analyzer_.Analyze(*texts[f], &terms);
    for (std::string& t : terms) ++counts[f][std::move(t)];
  }
  return counts;
}

double Embeddings::Tf(double count) const {
  return options_.tfidf.sublinear_tf && count > 1 ? 1 + std::log(count) : count;
}

double Embeddings::TermWeight(int32_t col) const {
  return IsBigram(terms_[col]) ? options_.tfidf.bigram_weight * idf_[col] : idf_[col];
}

std::vector<std::pair<int32_t, float>> Embeddings::Weigh(const FieldCounts& counts) const {
  const std::array<double, 6> weights = WeightArray(options_.fields);
  absl::flat_hash_map<int32_t, double> acc;
  // The in-vocabulary (column, count) pairs of field f.
  std::vector<std::pair<int32_t, int>> field;
  auto columns_of = [&](size_t f) {
    field.clear();
    for (const auto& [term, c] : counts[f]) {
      if (auto it = column_.find(term); it != column_.end()) field.emplace_back(it->second, c);
    }
  };
  for (size_t f = 0; f < counts.size(); ++f) {
    if (weights[f] <= 0) continue;
    columns_of(f);
    switch (options_.fields.combine) {
      case FieldCombination::kCounts:
        for (const auto& [col, c] : field) acc[col] += weights[f] * c;
        break;
      case FieldCombination::kFieldTf:
        for (const auto& [col, c] : field) acc[col] += weights[f] * Tf(c) * TermWeight(col);
        break;
      case FieldCombination::kFieldVectors: {
        double norm2 = 0;
        for (const auto& [col, c] : field) norm2 += std::pow(Tf(c) * TermWeight(col), 2);
        if (norm2 == 0) break;
        const double scale = weights[f] / std::sqrt(norm2);
        for (const auto& [col, c] : field) acc[col] += scale * Tf(c) * TermWeight(col);
        break;
      }
    }
  }
  std::vector<std::pair<int32_t, double>> weighted(acc.begin(), acc.end());
  if (options_.fields.combine == FieldCombination::kCounts) {
    for (auto& [col, v] : weighted) v = Tf(v) * TermWeight(col);
  }
  std::sort(weighted.begin(), weighted.end());
  double norm2 = 0;
  for (const auto& [col, v] : weighted) norm2 += v * v;
  const double norm = std::sqrt(norm2);
  std::vector<std::pair<int32_t, float>> row;
  row.reserve(weighted.size());
  for (const auto& [col, v] : weighted) row.emplace_back(col, static_cast<float>(v / norm));
  return row;
}

Embeddings Embeddings::Build(const std::vector<Article>& articles,
                             const EmbeddingOptions& options) {
  Embeddings e;
  e.options_ = options;
  e.analyzer_ = Analyzer(options.analyzer);

  // Analysis and weighing are per article and independent: spread them over
  // the cores. Document frequencies are counted per thread, then summed.
  const int threads = std::min(ThreadCount(0), static_cast<int>(articles.size() / 256 + 1));
  std::vector<FieldCounts> counts(articles.size());
  std::vector<absl::flat_hash_map<std::string, int64_t>> thread_df(static_cast<size_t>(threads));
  ParallelFor(articles.size(), threads, [&](size_t i, int t) {
    counts[i] = e.Count(articles[i]);
    absl::flat_hash_set<absl::string_view> seen;
    for (const auto& field : counts[i]) {
      for (const auto& [term, c] : field) {
        if (seen.insert(term).second) ++thread_df[t][term];
      }
    }
  });
  absl::flat_hash_map<std::string, int64_t> df = std::move(thread_df[0]);
  for (int t = 1; t < threads; ++t) {
    for (auto& [term, d] : thread_df[t]) df[term] += d;
    thread_df[t].clear();
  }

  const auto n = static_cast<double>(articles.size());
  const double max_docs = options.tfidf.max_df * n;
  for (const auto& [term, d] : df) {
    const int min_df = IsBigram(term) ? std::max(options.tfidf.min_df, options.tfidf.bigram_min_df)
                                      : options.tfidf.min_df;
    if (d >= min_df && static_cast<double>(d) <= max_docs) e.terms_.push_back(term);
  }
  std::sort(e.terms_.begin(), e.terms_.end());
  e.idf_.resize(e.terms_.size());
  for (size_t j = 0; j < e.terms_.size(); ++j) {
    e.column_[e.terms_[j]] = static_cast<int32_t>(j);
    const auto d = static_cast<double>(df[e.terms_[j]]);
    e.idf_[j] = static_cast<float>(options.tfidf.smooth_idf ? std::log((1 + n) / (1 + d)) + 1
                                                            : std::log(n / d) + 1);
  }

  std::vector<std::vector<std::pair<int32_t, float>>> rows(articles.size());
  ParallelFor(articles.size(), threads, [&](size_t i, int) {
    rows[i] = e.Weigh(counts[i]);
    counts[i] = FieldCounts();  // free the strings as we go
  });
  // Rows come out sorted by column: fill the compressed row storage directly.
  int64_t nonzeros = 0;
  for (const auto& row : rows) nonzeros += static_cast<int64_t>(row.size());
  e.matrix_.resize(static_cast<int32_t>(articles.size()), static_cast<int32_t>(e.terms_.size()));
  e.matrix_.resizeNonZeros(nonzeros);
  int32_t* outer = e.matrix_.outerIndexPtr();
  int64_t at = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    outer[i] = static_cast<int32_t>(at);
    for (const auto& [col, v] : rows[i]) {
      e.matrix_.innerIndexPtr()[at] = col;
      e.matrix_.valuePtr()[at] = v;
      ++at;
    }
    rows[i] = {};
  }
  outer[rows.size()] = static_cast<int32_t>(at);
  return e;
}

absl::StatusOr<Embeddings> Embeddings::FromParts(const EmbeddingOptions& options,
                                                 std::vector<std::string> terms,
                                                 std::vector<float> idf, SparseMatrix matrix) {
  const size_t n_terms = terms.size();
  if (idf.size() != n_terms || static_cast<size_t>(matrix.cols()) != n_terms) {
    return absl::InvalidArgumentError(absl::StrCat(n_terms, " terms but ", idf.size(),
                                                   " idf values and ", matrix.cols(), " columns"));
  }
  for (size_t j = 1; j < n_terms; ++j) {
    if (!(terms[j - 1] < terms[j])) {
      return absl::InvalidArgumentError(absl::StrCat("terms not strictly increasing at term ", j));
    }
  }
  for (size_t j = 0; j < n_terms; ++j) {
    if (!std::isfinite(idf[j])) {
      return absl::InvalidArgumentError(absl::StrCat("idf of term ", j, " is not finite"));
    }
  }
  if (!matrix.isCompressed()) return absl::InvalidArgumentError("matrix not compressed");
  const int32_t* outer = matrix.outerIndexPtr();
  const int32_t* inner = matrix.innerIndexPtr();
  // nonZeros() is derived from the row starts: check against the storage.
  if (outer[0] != 0 || outer[matrix.rows()] != matrix.data().size()) {
    return absl::InvalidArgumentError("row starts do not span the non-zeros");
  }
  // All row starts first: with them monotone from 0 to nonZeros(), every
  // row's range lies inside the arrays.
  for (int32_t r = 0; r < matrix.rows(); ++r) {
    if (outer[r] > outer[r + 1]) {
      return absl::InvalidArgumentError(absl::StrCat("row starts decrease at row ", r));
    }
  }
  for (int32_t r = 0; r < matrix.rows(); ++r) {
    for (int32_t k = outer[r]; k < outer[r + 1]; ++k) {
      if (inner[k] < 0 || inner[k] >= matrix.cols() || (k > outer[r] && inner[k] <= inner[k - 1])) {
        return absl::InvalidArgumentError(
            absl::StrCat("column indices of row ", r, " out of range or not increasing"));
      }
      if (!std::isfinite(matrix.valuePtr()[k])) {
        return absl::InvalidArgumentError(absl::StrCat("value in row ", r, " is not finite"));
      }
    }
  }
  Embeddings e;
  e.options_ = options;
  e.analyzer_ = Analyzer(options.analyzer);
  e.terms_ = std::move(terms);
  e.column_.reserve(n_terms);
  for (size_t j = 0; j < n_terms; ++j) e.column_.emplace(e.terms_[j], static_cast<int32_t>(j));
  e.idf_ = std::move(idf);
  e.matrix_ = std::move(matrix);
  return e;
}

SparseVector Embeddings::Embed(const Article& article) const {
  SparseVector v(static_cast<int32_t>(terms_.size()));
  for (const auto& [col, x] : Weigh(Count(article))) v.insertBack(col) = x;
  return v;
}

}  // namespace seealso
