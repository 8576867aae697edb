#include "embeddings/tfidf.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/parallel.h"

namespace seealso {
namespace {

constexpr size_t kFields = 6;

std::array<double, kFields> WeightArray(const FieldWeights& w) {
  return {w.title, w.question, w.answer, w.keywords, w.description, w.subject};
}

std::array<const std::string*, kFields> FieldTexts(const Article& a) {
  return {&a.title, &a.question, &a.answer, &a.keywords, &a.description, &a.subject};
}

// Sorts `ids` and appends (id, occurrences) for each distinct id to `out`.
void AppendCounts(std::vector<int32_t>* ids, std::vector<std::pair<int32_t, int32_t>>* out) {
  std::sort(ids->begin(), ids->end());
  for (size_t i = 0; i < ids->size();) {
    size_t j = i + 1;
    while (j < ids->size() && (*ids)[j] == (*ids)[i]) ++j;
    out->emplace_back((*ids)[i], static_cast<int32_t>(j - i));
    i = j;
  }
}

// The distinct terms one thread has seen, numbered in order of first sight,
// with their document frequencies. Term bytes live in large blocks, so a
// corpus's millions of terms cost no allocation each.
class TermTable {
 public:
  int32_t Intern(absl::string_view term) {
    auto it = ids_.lazy_emplace(term, [&](const auto& construct) {
      const absl::string_view stored = Store(term);
      terms_.push_back(stored);
      df_.push_back(0);
      last_doc_.push_back(-1);
      construct(stored, static_cast<int32_t>(terms_.size() - 1));
    });
    return it->second;
  }
  // Counts document `doc` once for term `id` (documents arrive in increasing order).
  void CountDocument(int32_t id, int64_t doc) {
    if (last_doc_[id] != doc) {
      last_doc_[id] = doc;
      ++df_[id];
    }
  }
  // The id of `term`, or -1 if this table has not seen it (before Seal()).
  int32_t Find(absl::string_view term) const {
    auto it = ids_.find(term);
    return it == ids_.end() ? -1 : it->second;
  }
  const std::vector<absl::string_view>& terms() const { return terms_; }
  const std::vector<int64_t>& df() const { return df_; }
  // Drops the lookup structure; terms() stay valid.
  void Seal() {
    ids_ = {};
    last_doc_ = {};
  }

 private:
  absl::string_view Store(absl::string_view s) {
    if (s.size() > capacity_ - used_) {
      capacity_ = std::max<size_t>(1 << 20, s.size());
      blocks_.push_back(std::make_unique<char[]>(capacity_));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    if (!s.empty()) std::memcpy(at, s.data(), s.size());
    used_ += s.size();
    return {at, s.size()};
  }

  absl::flat_hash_map<absl::string_view, int32_t> ids_;
  std::vector<absl::string_view> terms_;
  std::vector<int64_t> df_;
  std::vector<int64_t> last_doc_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t capacity_ = 0;
  size_t used_ = 0;
};

// Sorts `ids` by terms[id] in byte order. Most comparisons are settled by
// the first 8 bytes, kept beside each id as an integer, so they do not
// chase a pointer to bytes scattered over memory.
void SortByTerm(const std::vector<absl::string_view>& terms, std::vector<int32_t>* ids) {
  auto prefix = [](absl::string_view s) {
    uint64_t key = 0;
    for (size_t i = 0; i < 8; ++i) {
      key = (key << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
    }
    return key;
  };
  std::vector<std::pair<uint64_t, int32_t>> keyed;
  keyed.reserve(ids->size());
  for (int32_t id : *ids) keyed.emplace_back(prefix(terms[static_cast<size_t>(id)]), id);
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return terms[static_cast<size_t>(a.second)] < terms[static_cast<size_t>(b.second)];
  });
  for (size_t i = 0; i < keyed.size(); ++i) (*ids)[i] = keyed[i].second;
}

}  // namespace

Embeddings::Embeddings(Embeddings&& other) noexcept
    : options_(std::move(other.options_)),
      analyzer_(std::move(other.analyzer_)),
      terms_(std::move(other.terms_)),
      idf_(std::move(other.idf_)),
      term_weight_(std::move(other.term_weight_)) {
  matrix_.swap(other.matrix_);
}

Embeddings& Embeddings::operator=(Embeddings&& other) noexcept {
  options_ = std::move(other.options_);
  analyzer_ = std::move(other.analyzer_);
  terms_ = std::move(other.terms_);
  idf_ = std::move(other.idf_);
  term_weight_ = std::move(other.term_weight_);
  matrix_.swap(other.matrix_);
  return *this;
}

double Embeddings::Tf(double count) const {
  return options_.tfidf.sublinear_tf && count > 1 ? 1 + std::log(count) : count;
}

void Embeddings::SetIdf(const std::vector<int64_t>& df, double n) {
  idf_.resize(df.size());
  for (size_t j = 0; j < df.size(); ++j) {
    const auto d = static_cast<double>(df[j]);
    idf_[j] = static_cast<float>(options_.tfidf.smooth_idf ? std::log((1 + n) / (1 + d)) + 1
                                                           : std::log(n / d) + 1);
  }
  SetTermWeights();
}

void Embeddings::SetTermWeights() {
  term_weight_.resize(idf_.size());
  for (size_t j = 0; j < idf_.size(); ++j) {
    term_weight_[j] = IsBigram(terms_[j]) ? options_.tfidf.bigram_weight * idf_[j] : idf_[j];
  }
}

std::vector<std::pair<int32_t, float>> Embeddings::Weigh(const FieldColumns& columns) const {
  const std::array<double, kFields> weights = WeightArray(options_.fields);
  // (column, contribution) in field order; summed per column below.
  std::vector<std::pair<int32_t, double>> parts;
  parts.reserve(columns.entries.size());
  for (size_t f = 0; f < kFields; ++f) {
    if (weights[f] <= 0) continue;
    const auto* begin = columns.entries.data() + columns.start[f];
    const auto* end = columns.entries.data() + columns.start[f + 1];
    switch (options_.fields.combine) {
      case FieldCombination::kCounts:
        for (const auto* e = begin; e != end; ++e) parts.emplace_back(e->first, weights[f] * e->second);
        break;
      case FieldCombination::kFieldTf:
        for (const auto* e = begin; e != end; ++e) {
          parts.emplace_back(e->first, weights[f] * Tf(e->second) * term_weight_[e->first]);
        }
        break;
      case FieldCombination::kFieldVectors: {
        double norm2 = 0;
        for (const auto* e = begin; e != end; ++e) {
          norm2 += std::pow(Tf(e->second) * term_weight_[e->first], 2);
        }
        if (norm2 == 0) break;
        const double scale = weights[f] / std::sqrt(norm2);
        for (const auto* e = begin; e != end; ++e) {
          parts.emplace_back(e->first, scale * Tf(e->second) * term_weight_[e->first]);
        }
        break;
      }
    }
  }
  // Stable: a column's parts are summed in field order whatever the sort does.
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t out = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (out > 0 && parts[out - 1].first == parts[i].first) {
      parts[out - 1].second += parts[i].second;
    } else {
      parts[out++] = parts[i];
    }
  }
  parts.resize(out);
  if (options_.fields.combine == FieldCombination::kCounts) {
    for (auto& [col, v] : parts) v = Tf(v) * term_weight_[col];
  }
  double norm2 = 0;
  for (const auto& [col, v] : parts) norm2 += v * v;
  const double norm = std::sqrt(norm2);
  std::vector<std::pair<int32_t, float>> row;
  row.reserve(parts.size());
  for (const auto& [col, v] : parts) row.emplace_back(col, static_cast<float>(v / norm));
  return row;
}

Embeddings Embeddings::Build(const std::vector<Article>& articles,
                             const EmbeddingOptions& options) {
  Embeddings e;
  e.options_ = options;
  e.analyzer_ = Analyzer(options.analyzer);
  const std::array<double, kFields> weights = WeightArray(options.fields);

  // 1. Analysis, on all cores: each thread numbers the terms it sees in its
  // own table, and an article keeps (thread-local id, count) pairs, so no
  // term string is stored per article.
  const int threads = std::min(ThreadCount(0), static_cast<int>(articles.size() / 256 + 1));
  std::vector<TermTable> tables(static_cast<size_t>(threads));
  std::vector<FieldColumns> counted(articles.size());
  std::vector<uint8_t> thread_of(articles.size());
  ParallelFor(articles.size(), threads, [&](size_t i, int t) {
    TermTable& table = tables[static_cast<size_t>(t)];
    FieldColumns& c = counted[i];
    std::vector<std::string> terms;
    std::vector<int32_t> ids;
    const auto texts = FieldTexts(articles[i]);
    for (size_t f = 0; f < kFields; ++f) {
      c.start[f] = static_cast<uint32_t>(c.entries.size());
      if (weights[f] <= 0 || texts[f]->empty()) continue;
      terms.clear();
      e.analyzer_.Analyze(*texts[f], &terms);
      ids.clear();
      for (const std::string& term : terms) ids.push_back(table.Intern(term));
      AppendCounts(&ids, &c.entries);
    }
    c.start[kFields] = static_cast<uint32_t>(c.entries.size());
    for (const auto& [id, count] : c.entries) table.CountDocument(id, static_cast<int64_t>(i));
    thread_of[i] = static_cast<uint8_t>(t);
  });

  // 2. One vocabulary: the threads' terms merged, document frequencies
  // summed, pruned by df, sorted; each thread's ids mapped to columns.
  std::vector<absl::string_view> merged = tables[0].terms();
  std::vector<int64_t> df = tables[0].df();
  std::vector<std::vector<int32_t>> to_merged(static_cast<size_t>(threads));
  {
    // Thread 0's ids are merged ids: its own table finds them, and `added`
    // numbers the terms that only later threads saw.
    absl::flat_hash_map<absl::string_view, int32_t> added;
    for (int t = 1; t < threads; ++t) {
      const TermTable& table = tables[static_cast<size_t>(t)];
      std::vector<int32_t>& map = to_merged[static_cast<size_t>(t)];
      map.resize(table.terms().size());
      for (size_t l = 0; l < map.size(); ++l) {
        const absl::string_view term = table.terms()[l];
        int32_t id = tables[0].Find(term);
        if (id < 0) {
          auto [it, inserted] = added.emplace(term, static_cast<int32_t>(merged.size()));
          if (inserted) {
            merged.push_back(term);
            df.push_back(0);
          }
          id = it->second;
        }
        df[static_cast<size_t>(id)] += table.df()[l];
        map[l] = id;
      }
    }
    to_merged[0].resize(tables[0].terms().size());
    for (size_t l = 0; l < to_merged[0].size(); ++l) to_merged[0][l] = static_cast<int32_t>(l);
    for (TermTable& table : tables) table.Seal();
  }
  const auto n = static_cast<double>(articles.size());
  const double max_docs = options.tfidf.max_df * n;
  std::vector<int32_t> kept;
  for (size_t j = 0; j < merged.size(); ++j) {
    const int min_df = IsBigram(merged[j])
                           ? std::max(options.tfidf.min_df, options.tfidf.bigram_min_df)
                           : options.tfidf.min_df;
    if (df[j] >= min_df && static_cast<double>(df[j]) <= max_docs) {
      kept.push_back(static_cast<int32_t>(j));
    }
  }
  SortByTerm(merged, &kept);
  std::vector<int32_t> column(merged.size(), -1);
  std::vector<uint64_t> offsets = {0};
  offsets.reserve(kept.size() + 1);
  std::string blob;
  std::vector<int64_t> kept_df(kept.size());
  for (size_t c = 0; c < kept.size(); ++c) {
    column[static_cast<size_t>(kept[c])] = static_cast<int32_t>(c);
    blob.append(merged[static_cast<size_t>(kept[c])].data(), merged[static_cast<size_t>(kept[c])].size());
    offsets.push_back(blob.size());
    kept_df[c] = df[static_cast<size_t>(kept[c])];
  }
  for (auto& map : to_merged) {
    for (int32_t& id : map) id = column[static_cast<size_t>(id)];
  }
  // Sorted and distinct by construction, so this cannot fail.
  e.terms_ = *Vocabulary::FromParts(std::move(offsets), std::move(blob));
  e.SetIdf(kept_df, n);

  // 3. Weighing, on all cores: local ids become columns (pruned terms drop out).
  std::vector<std::vector<std::pair<int32_t, float>>> rows(articles.size());
  ParallelFor(articles.size(), threads, [&](size_t i, int) {
    FieldColumns& c = counted[i];
    const std::vector<int32_t>& map = to_merged[thread_of[i]];
    size_t out = 0;
    for (size_t f = 0; f < kFields; ++f) {
      const uint32_t begin = c.start[f];
      c.start[f] = static_cast<uint32_t>(out);
      for (uint32_t k = begin; k < c.start[f + 1]; ++k) {
        const int32_t col = map[static_cast<size_t>(c.entries[k].first)];
        if (col >= 0) c.entries[out++] = {col, c.entries[k].second};
      }
      // Column order, as Embed() has it: sums then run in one order, so a
      // row does not depend on which thread saw a term first.
      std::sort(c.entries.begin() + c.start[f], c.entries.begin() + static_cast<std::ptrdiff_t>(out));
    }
    c.start[kFields] = static_cast<uint32_t>(out);
    c.entries.resize(out);
    rows[i] = e.Weigh(c);
    c = FieldColumns();  // free as we go
  });
  tables.clear();

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

absl::StatusOr<Embeddings> Embeddings::FromParts(const EmbeddingOptions& options, Vocabulary terms,
                                                 std::vector<float> idf, SparseMatrix matrix) {
  const size_t n_terms = terms.size();
  if (idf.size() != n_terms || static_cast<size_t>(matrix.cols()) != n_terms) {
    return absl::InvalidArgumentError(absl::StrCat(n_terms, " terms but ", idf.size(),
                                                   " idf values and ", matrix.cols(), " columns"));
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
  e.idf_ = std::move(idf);
  e.SetTermWeights();
  e.matrix_.swap(matrix);
  return e;
}

SparseVector Embeddings::Embed(const Article& article) const {
  const std::array<double, kFields> weights = WeightArray(options_.fields);
  const auto texts = FieldTexts(article);
  FieldColumns c;
  std::vector<std::string> terms;
  std::vector<int32_t> cols;
  for (size_t f = 0; f < kFields; ++f) {
    c.start[f] = static_cast<uint32_t>(c.entries.size());
    if (weights[f] <= 0 || texts[f]->empty()) continue;
    terms.clear();
    analyzer_.Analyze(*texts[f], &terms);
    cols.clear();
    for (const std::string& t : terms) {
      if (const int32_t col = terms_.Find(t); col >= 0) cols.push_back(col);
    }
    AppendCounts(&cols, &c.entries);
  }
  c.start[kFields] = static_cast<uint32_t>(c.entries.size());
  SparseVector v(static_cast<int32_t>(terms_.size()));
  for (const auto& [col, x] : Weigh(c)) v.insertBack(col) = x;
  return v;
}

}  // namespace seealso
