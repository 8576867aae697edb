#include "embeddings/tfidf.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"

namespace seealso {

absl::flat_hash_map<std::string, double> Embeddings::Count(const Article& article) const {
  absl::flat_hash_map<std::string, double> counts;
  std::vector<std::string> terms;
  auto add = [&](const std::string& text, double weight) {
    if (weight <= 0 || text.empty()) return;
    terms.clear();
    analyzer_.Analyze(text, &terms);
    for (const std::string& t : terms) counts[t] += weight;
  };
  const FieldWeights& w = options_.fields;
  add(article.title, w.title);
  add(article.question, w.question);
  add(article.answer, w.answer);
  add(article.keywords, w.keywords);
  add(article.description, w.description);
  add(article.subject, w.subject);
  return counts;
}

std::vector<std::pair<int32_t, float>> Embeddings::Weigh(
    const absl::flat_hash_map<std::string, double>& counts) const {
  std::vector<std::pair<int32_t, float>> row;
  double norm2 = 0;
  std::vector<std::pair<int32_t, double>> weights;
  for (const auto& [term, count] : counts) {
    auto it = column_.find(term);
    if (it == column_.end()) continue;
    // Weighted counts can be fractional: keep tf monotone and positive below 1.
    const double tf = options_.tfidf.sublinear_tf && count > 1 ? 1 + std::log(count) : count;
    const double v = tf * idf_[it->second];
    weights.emplace_back(it->second, v);
    norm2 += v * v;
  }
  std::sort(weights.begin(), weights.end());
  const double norm = std::sqrt(norm2);
  row.reserve(weights.size());
  for (const auto& [col, v] : weights) row.emplace_back(col, static_cast<float>(v / norm));
  return row;
}

Embeddings Embeddings::Build(const std::vector<Article>& articles,
                             const EmbeddingOptions& options) {
  Embeddings e;
  e.options_ = options;
  e.analyzer_ = Analyzer(options.analyzer);

  std::vector<absl::flat_hash_map<std::string, double>> counts;
  counts.reserve(articles.size());
  absl::flat_hash_map<std::string, int64_t> df;
  for (const Article& a : articles) {
    counts.push_back(e.Count(a));
    for (const auto& [term, c] : counts.back()) ++df[term];
  }

  const auto n = static_cast<double>(articles.size());
  const double max_docs = options.tfidf.max_df * n;
  for (const auto& [term, d] : df) {
    if (d >= options.tfidf.min_df && static_cast<double>(d) <= max_docs) e.terms_.push_back(term);
  }
  std::sort(e.terms_.begin(), e.terms_.end());
  e.idf_.resize(e.terms_.size());
  for (size_t j = 0; j < e.terms_.size(); ++j) {
    e.column_[e.terms_[j]] = static_cast<int32_t>(j);
    const auto d = static_cast<double>(df[e.terms_[j]]);
    e.idf_[j] = static_cast<float>(options.tfidf.smooth_idf ? std::log((1 + n) / (1 + d)) + 1
                                                            : std::log(n / d) + 1);
  }

  std::vector<Eigen::Triplet<float, int32_t>> triplets;
  for (size_t i = 0; i < counts.size(); ++i) {
    for (const auto& [col, v] : e.Weigh(counts[i])) {
      triplets.emplace_back(static_cast<int32_t>(i), col, v);
    }
  }
  e.matrix_.resize(static_cast<int32_t>(articles.size()), static_cast<int32_t>(e.terms_.size()));
  e.matrix_.setFromTriplets(triplets.begin(), triplets.end());
  e.matrix_.makeCompressed();
  return e;
}

SparseVector Embeddings::Embed(const Article& article) const {
  SparseVector v(static_cast<int32_t>(terms_.size()));
  for (const auto& [col, x] : Weigh(Count(article))) v.insertBack(col) = x;
  return v;
}

}  // namespace seealso
