#include "embeddings/tfidf.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/memory.h"
#include "common/parallel.h"
#include "embeddings/df_sketch.h"

namespace seealso {
namespace {

constexpr size_t kFields = kFieldCount;

std::array<double, kFields> WeightArray(const FieldWeights& w) {
  return {w.title, w.question, w.answer, w.keywords, w.description, w.subject};
}

// Whether each field's adjacent words make bigrams (the analyzer decides
// whether any words do).
std::array<bool, kFields> BigramFields(const FieldWeights& w) {
  std::array<bool, kFields> on{};
  for (size_t f = 0; f < kFields; ++f) on[f] = (w.bigram_fields >> f & 1) != 0;
  return on;
}

std::array<const std::string*, kFields> FieldTexts(const Article& a) {
  return {&a.title, &a.question, &a.answer, &a.keywords, &a.description, &a.subject};
}

// Sorts non-negative `keys` by LSD radix, kDigitBits at a time, as many
// digits as the largest key needs: a field's few hundred columns, or a
// corpus's millions of bigram keys, in a few linear passes without the
// mispredicted compares of a comparison sort. `scratch` is resized to a copy.
template <int kDigitBits, typename T>
void RadixSort(std::vector<T>* keys, std::vector<T>* scratch) {
  using U = std::make_unsigned_t<T>;
  if (keys->size() < 64) {
    std::sort(keys->begin(), keys->end());
    return;
  }
  constexpr size_t kBuckets = size_t{1} << kDigitBits;
  constexpr int kBits = static_cast<int>(8 * sizeof(T));
  constexpr int kMaxPasses = (kBits + kDigitBits - 1) / kDigitBits;
  const auto max = static_cast<U>(*std::max_element(keys->begin(), keys->end()));
  int passes = 0;
  while (passes < kMaxPasses && (max >> (passes * kDigitBits)) != 0) ++passes;
  auto digit = [](T key, int pass) {
    return (static_cast<U>(key) >> (pass * kDigitBits)) & (kBuckets - 1);
  };
  // Every pass's histogram in one read of the keys, then one scatter per pass.
  std::array<size_t, kMaxPasses * kBuckets> count;
  std::fill(count.begin(), count.begin() + passes * kBuckets, 0);
  const size_t n = keys->size();
  const T* in = keys->data();
  for (size_t i = 0; i < n; ++i) {
    for (int p = 0; p < passes; ++p) ++count[p * kBuckets + digit(in[i], p)];
  }
  std::vector<T>& other = *scratch;
  other.resize(n);
  T* from = keys->data();
  T* to = other.data();
  for (int p = 0; p < passes; ++p) {
    size_t* start = &count[p * kBuckets];
    size_t sum = 0;
    for (size_t b = 0; b < kBuckets; ++b) sum += std::exchange(start[b], sum);
    for (size_t i = 0; i < n; ++i) to[start[digit(from[i], p)]++] = from[i];
    std::swap(from, to);
  }
  if (passes % 2 == 1) keys->swap(other);
}

// Sorts `ids` and appends (id, occurrences) for each distinct id to `out`.
void AppendCounts(std::vector<int32_t>* ids, std::vector<std::pair<int32_t, int32_t>>* out) {
  thread_local std::vector<int32_t> scratch;
  RadixSort<8>(ids, &scratch);
  for (size_t i = 0; i < ids->size();) {
    size_t j = i + 1;
    while (j < ids->size() && (*ids)[j] == (*ids)[i]) ++j;
    out->emplace_back((*ids)[i], static_cast<int32_t>(j - i));
    i = j;
  }
}

// The distinct words one thread has seen, numbered in order of first sight,
// with their document frequencies. Word bytes live in large blocks, so a
// corpus's many words cost no allocation each.
class WordTable {
 public:
  int32_t Word(absl::string_view word) {
    auto it = words_.lazy_emplace(word, [&](const auto& construct) {
      const absl::string_view stored = Store(word);
      word_text_.push_back(stored);
      word_df_.push_back(0);
      word_last_doc_.push_back(-1);
      construct(stored, static_cast<int32_t>(word_text_.size() - 1));
    });
    return it->second;
  }
  // Counts document `doc` once for word `id`; documents arrive in increasing order.
  void CountDocument(int32_t id, int32_t doc) {
    int32_t& last = word_last_doc_[static_cast<size_t>(id)];
    if (last != doc) {
      last = doc;
      ++word_df_[static_cast<size_t>(id)];
    }
  }
  // The id of a word, or -1 if this table has not seen it (before Seal()).
  int32_t Find(absl::string_view word) const {
    auto it = words_.find(word);
    return it == words_.end() ? -1 : it->second;
  }
  const std::vector<absl::string_view>& words() const { return word_text_; }
  const std::vector<int64_t>& word_df() const { return word_df_; }
  // Drops the lookup structures; the lists above stay valid.
  void Seal() {
    words_ = {};
    word_last_doc_ = {};
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

  absl::flat_hash_map<absl::string_view, int32_t> words_;
  std::vector<absl::string_view> word_text_;
  std::vector<int64_t> word_df_;
  std::vector<int32_t> word_last_doc_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t capacity_ = 0;
  size_t used_ = 0;
};

// An array of trivially copyable T grown in place with realloc. A large
// block is mapped memory, which glibc's realloc grows with mremap, moving
// pages instead of copying them: growing never holds an old and a new copy
// at once, as a std::vector's doubling does (and needs no size known ahead).
template <typename T>
class GrowingArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  GrowingArray() = default;
  GrowingArray(GrowingArray&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  GrowingArray& operator=(GrowingArray&&) = delete;
  ~GrowingArray() { std::free(data_); }

  // Adds n elements, not initialised; returns the first of them.
  T* Extend(size_t n) {
    if (n == 0) return data_ + size_;
    void* grown = std::realloc(data_, (size_ + n) * sizeof(T));
    if (grown == nullptr) throw std::bad_alloc();
    data_ = static_cast<T*>(grown);
    size_ += n;
    return data_ + size_ - n;
  }
  const T* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

// An article after analysis: each field's kept words, in text order, as the
// analysing thread's word ids shifted left by one, the low bit set when the
// word forms a bigram with the word before it. Bigrams are derived from this
// whenever they are needed rather than stored: most word pairs occur in one
// article only, and keeping them all (per article and in per-thread hash
// tables) was most of the build's memory.
//
// The tokens live in per-thread buffers, one per block of kWeighBlock
// articles (TokenBlocks), not in a vector per article: a block's buffers are
// freed whole once it is weighed, so their memory goes back to the system as
// the matrix grows. Per-article vectors were scattered over the heap (into
// the holes the freed text left), and freeing a block of them released no page.
struct AnalysedText {
  std::array<uint32_t, kFields + 1> start{};
  uint64_t offset = 0;  // of the tokens in their TokenBlocks buffer
  const uint32_t* tokens = nullptr;  // set once every buffer is complete
};

// Articles are weighed (and their tokens freed) this many at a time.
constexpr size_t kWeighBlock = 16384;

// tokens[t][b]: thread t's tokens of the articles of block b.
using TokenBlocks = std::vector<std::vector<std::vector<uint32_t>>>;

uint32_t Token(int32_t word, bool joins_previous) {
  return static_cast<uint32_t>(word) << 1 | (joins_previous ? 1u : 0u);
}
size_t TokenWord(uint32_t token) { return token >> 1; }
bool TokenJoins(uint32_t token) { return (token & 1u) != 0; }

uint64_t PairKey(int32_t first, int32_t second) {
  return static_cast<uint64_t>(static_cast<uint32_t>(first)) << 32 | static_cast<uint32_t>(second);
}

// Appends the bigrams of field f of `text` to `keys` as PairKey()s of merged
// word ids (`word_id` maps the analysing thread's ids to merged ones).
void AppendPairs(const AnalysedText& text, size_t f, const std::vector<int32_t>& word_id,
                 std::vector<uint64_t>* keys) {
  for (uint32_t k = text.start[f] + 1; k < text.start[f + 1]; ++k) {
    if (TokenJoins(text.tokens[k])) {
      keys->push_back(PairKey(word_id[TokenWord(text.tokens[k - 1])], word_id[TokenWord(text.tokens[k])]));
    }
  }
}

// The distinct bigrams of `text` into `keys`, in order of first occurrence
// (what they feed, the sketch and the exact counts, does not depend on the
// order). Deduplicated through a per-thread open-addressing set whose slots
// are stamped per call, so nothing is cleared between articles: sorting the
// few hundred keys of each article, twice per article, had cost more.
void DistinctPairs(const AnalysedText& text, const std::vector<int32_t>& word_id,
                   std::vector<uint64_t>* keys) {
  keys->clear();
  for (size_t f = 0; f < kFields; ++f) AppendPairs(text, f, word_id, keys);
  thread_local std::vector<uint64_t> slot_key;
  thread_local std::vector<uint32_t> slot_stamp;
  thread_local uint32_t stamp = 0;
  const size_t wanted = std::bit_ceil(std::max<size_t>(64, 2 * keys->size()));
  if (slot_key.size() < wanted) {
    slot_key.assign(wanted, 0);
    slot_stamp.assign(wanted, 0);
    stamp = 0;
  }
  if (++stamp == 0) {  // wrapped: every slot's stamp may look current
    std::fill(slot_stamp.begin(), slot_stamp.end(), 0u);
    stamp = 1;
  }
  const size_t mask = slot_key.size() - 1;
  const int shift = 64 - std::countr_zero(slot_key.size());  // the product's top bits
  size_t kept = 0;
  for (const uint64_t key : *keys) {
    for (size_t h = static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift);;
         h = (h + 1) & mask) {
      if (slot_stamp[h] != stamp) {
        slot_stamp[h] = stamp;
        slot_key[h] = key;
        (*keys)[kept++] = key;
        break;
      }
      if (slot_key[h] == key) break;
    }
  }
  keys->resize(kept);
}

// Exact document frequencies of the bigrams in one hash partition (see
// PairPartition), then, once pruned, each kept bigram's column.
struct PairTable {
  absl::flat_hash_map<uint64_t, int32_t> index;  // key -> slot in df; then -> column or -1
  std::vector<int32_t> df;
};

// A kept term is a word id or, encoded, a kept bigram's number.
int32_t EncodePair(int32_t pair) { return -pair - 1; }
int32_t DecodePair(int32_t code) { return -code - 1; }

size_t PairPartition(uint64_t key, size_t partitions) {
  return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> 32) % partitions;
}

// Sorts `ids` by terms[id] in byte order (the terms are distinct), on
// `threads` threads. Most comparisons are settled by the first 8 bytes, kept
// beside each id as an integer, so they do not chase a pointer to bytes
// scattered over memory.
void SortByTerm(const std::vector<absl::string_view>& terms, std::vector<int32_t>* ids,
                int threads) {
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
  ParallelSort(&keyed, threads, [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return terms[static_cast<size_t>(a.second)] < terms[static_cast<size_t>(b.second)];
  });
  for (size_t i = 0; i < keyed.size(); ++i) (*ids)[i] = keyed[i].second;
}

}  // namespace

absl::StatusOr<FieldSet> ParseFieldSet(absl::string_view names) {
  FieldSet set = 0;
  for (absl::string_view name : absl::StrSplit(names, absl::ByAnyChar(", +"), absl::SkipEmpty())) {
    size_t f = 0;
    while (f < kFields && name != kFieldNames[f]) ++f;
    if (f == kFields) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown field '", name, "' (fields: ", absl::StrJoin(kFieldNames, ", "), ")"));
    }
    if ((set >> f & 1) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("field '", name, "' named twice"));
    }
    set |= FieldSet{1} << f;
  }
  return set;
}

std::vector<absl::string_view> FieldSetNames(FieldSet set) {
  std::vector<absl::string_view> names;
  for (size_t f = 0; f < kFields; ++f) {
    if ((set >> f & 1) != 0) names.push_back(kFieldNames[f]);
  }
  return names;
}

std::string FieldSetText(FieldSet set) { return absl::StrJoin(FieldSetNames(set), ","); }

double Embeddings::Tf(double count) const {
  return options_.tfidf.sublinear_tf && count > 1 ? 1 + std::log(count) : count;
}

void Embeddings::SetIdf(const std::vector<int64_t>& df, double n) {
  std::vector<float> idf(df.size());
  for (size_t j = 0; j < df.size(); ++j) {
    const auto d = static_cast<double>(df[j]);
    idf[j] = static_cast<float>(options_.tfidf.smooth_idf ? std::log((1 + n) / (1 + d)) + 1
                                                          : std::log(n / d) + 1);
  }
  idf_ = FrozenArray<float>(std::move(idf));
  SetTermWeights();
}

void Embeddings::SetTermWeights() {
  std::vector<double> weight(idf_.size());
  for (size_t j = 0; j < idf_.size(); ++j) {
    weight[j] = IsBigram(terms_[j]) ? options_.tfidf.bigram_weight * idf_[j] : idf_[j];
  }
  term_weight_ = FrozenArray<double>(std::move(weight));
}

std::vector<std::pair<int32_t, float>> Embeddings::Weigh(const FieldColumns& columns) const {
  const std::array<double, kFields> weights = WeightArray(options_.fields);
  // A column's value: its fields' contributions, summed in field order.
  struct Part {
    int32_t col;
    double v;
  };
  // Each field's entries are sorted by column (AppendCounts), so the fields
  // are merged one after another into `parts`, an equal column's sum taking
  // the new field's part last: the field order, with no sort.
  thread_local std::vector<Part> parts, field, merged;
  parts.clear();
  for (size_t f = 0; f < kFields; ++f) {
    if (weights[f] <= 0) continue;
    const auto* begin = columns.entries.data() + columns.start[f];
    const auto* end = columns.entries.data() + columns.start[f + 1];
    if (begin == end) continue;
    field.clear();
    switch (options_.fields.combine) {
      case FieldCombination::kCounts:
        for (const auto* e = begin; e != end; ++e) field.push_back({e->first, weights[f] * e->second});
        break;
      case FieldCombination::kFieldTf:
        for (const auto* e = begin; e != end; ++e) {
          field.push_back({e->first, weights[f] * Tf(e->second) * term_weight_[e->first]});
        }
        break;
      case FieldCombination::kFieldVectors: {
        // v holds the tf until the field's norm is known.
        double norm2 = 0;
        for (const auto* e = begin; e != end; ++e) {
          const double tf = Tf(e->second);
          const double x = tf * term_weight_[e->first];
          field.push_back({e->first, tf});
          norm2 += x * x;
        }
        if (norm2 == 0) {
          field.clear();
          break;
        }
        const double scale = weights[f] / std::sqrt(norm2);
        for (Part& p : field) p.v = scale * p.v * term_weight_[p.col];
        break;
      }
    }
    if (parts.empty()) {
      parts.swap(field);
      continue;
    }
    merged.clear();
    size_t i = 0;
    size_t j = 0;
    while (i < parts.size() && j < field.size()) {
      if (parts[i].col < field[j].col) {
        merged.push_back(parts[i++]);
      } else if (field[j].col < parts[i].col) {
        merged.push_back(field[j++]);
      } else {
        merged.push_back({parts[i].col, parts[i].v + field[j].v});
        ++i;
        ++j;
      }
    }
    merged.insert(merged.end(), parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());
    merged.insert(merged.end(), field.begin() + static_cast<std::ptrdiff_t>(j), field.end());
    parts.swap(merged);
  }
  if (options_.fields.combine == FieldCombination::kCounts) {
    for (Part& p : parts) p.v = Tf(p.v) * term_weight_[p.col];
  }
  double norm2 = 0;
  for (const Part& p : parts) norm2 += p.v * p.v;
  const double norm = std::sqrt(norm2);
  std::vector<std::pair<int32_t, float>> row;
  row.reserve(parts.size());
  for (const Part& p : parts) row.emplace_back(p.col, static_cast<float>(p.v / norm));
  return row;
}

Embeddings Embeddings::Build(const std::vector<Article>& articles,
                             const EmbeddingOptions& options) {
  return Build(articles, options, BuildMethod(), nullptr);
}

Embeddings Embeddings::Build(const std::vector<Article>& articles, const EmbeddingOptions& options,
                             const BuildMethod& method) {
  return Build(articles, options, method, nullptr);
}

Embeddings Embeddings::BuildConsuming(std::vector<Article>* articles,
                                      const EmbeddingOptions& options) {
  return Build(*articles, options, BuildMethod(), articles);
}

Embeddings Embeddings::Build(const std::vector<Article>& articles, const EmbeddingOptions& options,
                             const BuildMethod& method, std::vector<Article>* release) {
  Embeddings e;
  e.options_ = options;
  e.analyzer_ = Analyzer(options.analyzer);
  const std::array<double, kFields> weights = WeightArray(options.fields);
  const std::array<bool, kFields> bigrams = BigramFields(options.fields);

  // 1. Analysis, on all cores: each thread numbers the words it sees in its
  // own table, and an article keeps its words as those ids, in order.
  const int threads = std::min(ThreadCount(0), static_cast<int>(articles.size() / 256 + 1));
  std::vector<WordTable> tables(static_cast<size_t>(threads));
  std::vector<AnalysedText> analysed(articles.size());
  TokenBlocks token_blocks(static_cast<size_t>(threads),
                           std::vector<std::vector<uint32_t>>((articles.size() + kWeighBlock - 1) /
                                                              kWeighBlock));
  std::vector<uint8_t> thread_of(articles.size());
  std::vector<uint64_t> joins_seen(static_cast<size_t>(threads));  // bigram occurrences
  // Thread t's word ids are remembered in the analyzer's per-thread cache
  // under this generation (a thread t keeps one OS thread for the loop), so
  // a repeated spelling costs one lookup, not two.
  std::vector<uint64_t> memo_generation(static_cast<size_t>(threads));
  for (uint64_t& g : memo_generation) g = Analyzer::NewMemoGeneration();
  ParallelFor(articles.size(), threads, [&](size_t i, int t) {
    WordTable& table = tables[static_cast<size_t>(t)];
    AnalysedText& text = analysed[i];
    thread_local std::vector<uint32_t> tokens;
    tokens.clear();
    const auto texts = FieldTexts(articles[i]);
    uint64_t pairs = 0;
    for (size_t f = 0; f < kFields; ++f) {
      text.start[f] = static_cast<uint32_t>(tokens.size());
      if (weights[f] <= 0 || texts[f]->empty()) continue;
      e.analyzer_.ForEachWord(*texts[f], memo_generation[static_cast<size_t>(t)],
                              [&](absl::string_view word, bool joins_previous, int32_t* memo) {
                                if (*memo < 0) *memo = table.Word(word);
                                table.CountDocument(*memo, static_cast<int32_t>(i));
                                const bool joins = joins_previous && bigrams[f];
                                tokens.push_back(Token(*memo, joins));
                                pairs += joins;
                              });
    }
    joins_seen[static_cast<size_t>(t)] += pairs;
    text.start[kFields] = static_cast<uint32_t>(tokens.size());
    std::vector<uint32_t>& buffer = token_blocks[static_cast<size_t>(t)][i / kWeighBlock];
    text.offset = buffer.size();
    buffer.insert(buffer.end(), tokens.begin(), tokens.end());
    thread_of[i] = static_cast<uint8_t>(t);
    if (release != nullptr) {
      // `release` is `articles`: this article's body is no longer needed.
      ReleaseAllButId((*release)[i]);
    }
  });
  for (size_t i = 0; i < analysed.size(); ++i) {
    analysed[i].tokens = token_blocks[thread_of[i]][i / kWeighBlock].data() + analysed[i].offset;
  }

  // 2. One word list: the threads' words merged (thread 0's ids are merged
  // ids; `added` numbers what only later threads saw), document frequencies
  // summed; word_id[t] maps thread t's ids to merged ones.
  std::vector<absl::string_view> words = tables[0].words();
  std::vector<int64_t> word_df = tables[0].word_df();
  std::vector<std::vector<int32_t>> word_id(static_cast<size_t>(threads));
  {
    absl::flat_hash_map<absl::string_view, int32_t> added;
    for (int t = 1; t < threads; ++t) {
      const WordTable& table = tables[static_cast<size_t>(t)];
      std::vector<int32_t>& map = word_id[static_cast<size_t>(t)];
      map.resize(table.words().size());
      for (size_t l = 0; l < map.size(); ++l) {
        const absl::string_view word = table.words()[l];
        int32_t id = tables[0].Find(word);
        if (id < 0) {
          auto [it, inserted] = added.emplace(word, static_cast<int32_t>(words.size()));
          if (inserted) {
            words.push_back(word);
            word_df.push_back(0);
          }
          id = it->second;
        }
        word_df[static_cast<size_t>(id)] += table.word_df()[l];
        map[l] = id;
      }
    }
    word_id[0].resize(tables[0].words().size());
    for (size_t l = 0; l < word_id[0].size(); ++l) word_id[0][l] = static_cast<int32_t>(l);
    for (WordTable& table : tables) table.Seal();
  }
  const auto n = static_cast<double>(articles.size());
  const double max_docs = options.tfidf.max_df * n;
  auto keep = [&](int64_t d, int min_df) { return d >= min_df && static_cast<double>(d) <= max_docs; };
  const int pair_min_df = std::max(options.tfidf.min_df, options.tfidf.bigram_min_df);

  // 3. Bigram document frequencies, into tables partitioned by key (one per
  // thread, so no merge is needed). A corpus with few enough bigrams
  // (method.sort_pairs_up_to) sorts them all, per partition, and counts the
  // runs. A larger one first runs a sketch pass (when pruning by df), so
  // that only pairs that may reach pair_min_df are counted exactly: then,
  // a block of articles at a time, each thread derives its articles' pairs
  // and routes the ones the sketch lets through to their partition's
  // buffer, then each thread counts its partition's buffers in a hash table.
  // Sketch and tables are far larger than the caches: keys are prefetched a
  // few ahead of their use, so that the misses overlap.
  uint64_t pair_occurrences = 0;
  for (uint64_t j : joins_seen) pair_occurrences += j;
  const auto partitions = static_cast<size_t>(threads);
  std::vector<PairTable> pair_tables(partitions);
  constexpr size_t kAhead = 8;
  if (pair_occurrences > 0 && pair_occurrences <= method.sort_pairs_up_to) {
    // Every article's distinct pairs, routed to their partition as compact
    // keys (first * words + second: fewer radix digits), then sorted there.
    // One derivation of the pairs and sequential passes, where the sketch's
    // path derives them twice and updates two tables at random (15,000
    // generated articles: the index phase 0.78-0.87 s -> 0.68-0.71 s).
    const uint64_t word_count = words.size();
    std::vector<std::vector<std::vector<uint64_t>>> routed(
        static_cast<size_t>(threads), std::vector<std::vector<uint64_t>>(partitions));
    ParallelFor(articles.size(), threads, [&](size_t i, int t) {
      thread_local std::vector<uint64_t> keys;
      DistinctPairs(analysed[i], word_id[thread_of[i]], &keys);
      std::vector<std::vector<uint64_t>>& out = routed[static_cast<size_t>(t)];
      for (const uint64_t key : keys) {
        const uint64_t compact = (key >> 32) * word_count + (key & 0xffffffffu);
        out[PairPartition(key, partitions)].push_back(compact);
      }
    });
    ParallelFor(partitions, threads, [&](size_t p, int) {
      std::vector<uint64_t> keys;
      size_t size = 0;
      for (const auto& from_thread : routed) size += from_thread[p].size();
      keys.reserve(size);
      for (auto& from_thread : routed) {
        keys.insert(keys.end(), from_thread[p].begin(), from_thread[p].end());
        std::vector<uint64_t>().swap(from_thread[p]);
      }
      {
        std::vector<uint64_t> scratch;
        RadixSort<12>(&keys, &scratch);
      }
      PairTable& table = pair_tables[p];
      for (size_t k = 0; k < keys.size();) {
        size_t end = k + 1;
        while (end < keys.size() && keys[end] == keys[k]) ++end;
        if (static_cast<int64_t>(end - k) >= pair_min_df) {
          const uint64_t key = PairKey(static_cast<int32_t>(keys[k] / word_count),
                                       static_cast<int32_t>(keys[k] % word_count));
          table.index.emplace(key, static_cast<int32_t>(table.df.size()));
          table.df.push_back(static_cast<int32_t>(end - k));
        }
        k = end;
      }
    });
  } else if (pair_occurrences > 0) {
    std::unique_ptr<DfSketch> sketch;
    if (pair_min_df > 1) {
      sketch = std::make_unique<DfSketch>(4 * pair_occurrences);
      ParallelFor(articles.size(), threads, [&](size_t i, int) {
        thread_local std::vector<uint64_t> keys;
        DistinctPairs(analysed[i], word_id[thread_of[i]], &keys);
        for (size_t k = 0; k < keys.size(); ++k) {
          if (k + kAhead < keys.size()) sketch->Prefetch(keys[k + kAhead]);
          sketch->Add(keys[k]);
        }
      });
    }
    const int may_keep = std::min(pair_min_df, DfSketch::kMaxCount);
    // routed[t][p]: the keys thread t found for partition p in this block.
    std::vector<std::vector<std::vector<uint64_t>>> routed(
        static_cast<size_t>(threads), std::vector<std::vector<uint64_t>>(partitions));
    constexpr size_t kPairBlock = 16384;
    for (size_t first = 0; first < articles.size(); first += kPairBlock) {
      const size_t last = std::min(articles.size(), first + kPairBlock);
      ParallelFor(last - first, threads, [&](size_t r, int t) {
        const size_t i = first + r;
        thread_local std::vector<uint64_t> keys;
        DistinctPairs(analysed[i], word_id[thread_of[i]], &keys);
        std::vector<std::vector<uint64_t>>& out = routed[static_cast<size_t>(t)];
        for (size_t k = 0; k < keys.size(); ++k) {
          if (sketch != nullptr) {
            if (k + kAhead < keys.size()) sketch->Prefetch(keys[k + kAhead]);
            if (sketch->Estimate(keys[k]) < may_keep) continue;
          }
          out[PairPartition(keys[k], partitions)].push_back(keys[k]);
        }
      });
      ParallelFor(partitions, threads, [&](size_t p, int) {
        PairTable& table = pair_tables[p];
        for (auto& from_thread : routed) {
          std::vector<uint64_t>& keys = from_thread[p];
          for (size_t k = 0; k < keys.size(); ++k) {
            if (k + kAhead < keys.size()) table.index.prefetch(keys[k + kAhead]);
            auto [it, added] = table.index.try_emplace(keys[k], static_cast<int32_t>(table.df.size()));
            if (added) table.df.push_back(0);
            ++table.df[static_cast<size_t>(it->second)];
          }
          keys.clear();
        }
      });
    }
  }

  std::vector<int32_t> word_col(words.size(), -1);
  {
    // 4. The vocabulary: kept words and bigrams (spelled "a_b"), sorted,
    // numbered into columns. A kept term's code is its word id, or its kept
    // pair's EncodePair(). Pairs are numbered partition by partition, each
    // partition's spelled out by its own thread.
    struct KeptPairs {
      std::string text;            // the pairs' spellings, one after another
      std::vector<uint64_t> end;   // where each ends in `text`
      std::vector<int64_t> df;
    };
    std::vector<KeptPairs> kept_pairs(partitions);
    ParallelFor(partitions, threads, [&](size_t p, int) {
      PairTable& table = pair_tables[p];
      KeptPairs& kept = kept_pairs[p];
      for (auto& [key, slot] : table.index) {
        const int32_t d = table.df[static_cast<size_t>(slot)];
        if (!keep(d, pair_min_df)) {
          slot = -1;
          continue;
        }
        slot = static_cast<int32_t>(kept.df.size());  // within the partition, for now
        kept.df.push_back(d);
        absl::StrAppend(&kept.text, words[static_cast<size_t>(key >> 32)], "_",
                        words[static_cast<size_t>(key & 0xffffffffu)]);
        kept.end.push_back(kept.text.size());
      }
      table.df = {};
    });
    std::vector<size_t> first_pair(partitions + 1, 0);  // of each partition
    for (size_t p = 0; p < partitions; ++p) first_pair[p + 1] = first_pair[p] + kept_pairs[p].df.size();
    size_t kept_words = 0;
    for (size_t j = 0; j < words.size(); ++j) kept_words += keep(word_df[j], options.tfidf.min_df);
    std::vector<int32_t> kept_code;
    std::vector<absl::string_view> kept_text;
    kept_code.reserve(kept_words + first_pair[partitions]);
    kept_text.reserve(kept_words + first_pair[partitions]);
    std::vector<int64_t> pair_df(first_pair[partitions]);
    for (size_t j = 0; j < words.size(); ++j) {
      if (keep(word_df[j], options.tfidf.min_df)) {
        kept_code.push_back(static_cast<int32_t>(j));
        kept_text.push_back(words[j]);
      }
    }
    for (size_t p = 0; p < partitions; ++p) {
      const KeptPairs& kept = kept_pairs[p];
      for (size_t q = 0; q < kept.df.size(); ++q) {
        const size_t begin = q == 0 ? 0 : kept.end[q - 1];
        kept_code.push_back(EncodePair(static_cast<int32_t>(first_pair[p] + q)));
        kept_text.push_back(absl::string_view(kept.text).substr(begin, kept.end[q] - begin));
        pair_df[first_pair[p] + q] = kept.df[q];
      }
      std::vector<int64_t>().swap(kept_pairs[p].df);
      std::vector<uint64_t>().swap(kept_pairs[p].end);
    }
    std::vector<int32_t> order(kept_code.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int32_t>(k);
    SortByTerm(kept_text, &order, threads);
    // Columns numbered, then the terms' bytes copied into one block, both
    // on all cores (each column writes only its own entries).
    std::vector<int32_t> pair_col(pair_df.size(), -1);
    std::vector<uint64_t> offsets(order.size() + 1, 0);
    std::vector<int64_t> kept_df(order.size());
    constexpr size_t kColumnChunk = 1 << 16;
    ParallelForChunks(order.size(), kColumnChunk, threads, [&](size_t begin, size_t end, int) {
      for (size_t c = begin; c < end; ++c) {
        const size_t k = static_cast<size_t>(order[c]);
        const int32_t code = kept_code[k];
        if (code >= 0) {
          word_col[static_cast<size_t>(code)] = static_cast<int32_t>(c);
          kept_df[c] = word_df[static_cast<size_t>(code)];
        } else {
          pair_col[static_cast<size_t>(DecodePair(code))] = static_cast<int32_t>(c);
          kept_df[c] = pair_df[static_cast<size_t>(DecodePair(code))];
        }
        offsets[c + 1] = kept_text[k].size();
      }
    });
    for (size_t c = 0; c < order.size(); ++c) offsets[c + 1] += offsets[c];
    std::string blob(offsets.back(), '\0');
    ParallelForChunks(order.size(), kColumnChunk, threads, [&](size_t begin, size_t end, int) {
      for (size_t c = begin; c < end; ++c) {
        const absl::string_view text = kept_text[static_cast<size_t>(order[c])];
        if (!text.empty()) std::memcpy(&blob[offsets[c]], text.data(), text.size());
      }
    });
    // Each table keeps only its kept pairs, now mapped to their columns: most
    // pairs counted are dropped by bigram_min_df, and the weighing below
    // only looks kept ones up.
    ParallelFor(partitions, threads, [&](size_t p, int) {
      PairTable& table = pair_tables[p];
      absl::flat_hash_map<uint64_t, int32_t> kept;
      kept.reserve(first_pair[p + 1] - first_pair[p]);
      for (const auto& [key, slot] : table.index) {
        if (slot >= 0) kept.emplace(key, pair_col[first_pair[p] + static_cast<size_t>(slot)]);
      }
      table.index = std::move(kept);
    });
    // Sorted and distinct by construction, so this cannot fail.
    e.terms_ = *Vocabulary::FromParts(std::move(offsets), std::move(blob));
    e.SetIdf(kept_df, n);
  }
  // The words' text and counts were only needed to make the vocabulary: free
  // them (with step 4's temporaries, above) before the matrix grows.
  tables.clear();
  words = {};
  word_df = {};

  // 5. Weighing, on all cores, a block of articles at a time: each field's
  // words and bigrams become (column, count) pairs (pruned terms drop out),
  // then a row, and the block's rows (sorted by column) are appended to the
  // compressed row storage before the next block is weighed. Holding every
  // row until one fill at the end put all rows beside the whole matrix: the
  // build's peak (8 more bytes per non-zero).
  std::vector<int32_t> outer(articles.size() + 1);
  GrowingArray<int32_t> inner;
  GrowingArray<float> values;
  // col_of[t]: thread t's word ids straight to columns (-1: pruned), so a
  // token costs one lookup instead of two dependent ones in large arrays.
  std::vector<std::vector<int32_t>> col_of(static_cast<size_t>(threads));
  ParallelFor(col_of.size(), threads, [&](size_t t, int) {
    col_of[t].resize(word_id[t].size());
    for (size_t l = 0; l < col_of[t].size(); ++l) {
      col_of[t][l] = word_col[static_cast<size_t>(word_id[t][l])];
    }
  });
  word_col = {};
  std::vector<std::vector<std::pair<int32_t, float>>> rows;
  for (size_t first = 0; first < articles.size(); first += kWeighBlock) {
    rows.assign(std::min(kWeighBlock, articles.size() - first), {});
    ParallelFor(rows.size(), threads, [&](size_t r, int) {
      const size_t i = first + r;
      AnalysedText& text = analysed[i];
      const std::vector<int32_t>& ids = word_id[thread_of[i]];
      const std::vector<int32_t>& word_cols = col_of[thread_of[i]];
      thread_local std::vector<int32_t> cols;
      thread_local std::vector<uint64_t> keys;
      thread_local std::vector<int32_t> pair_cols;
      // The article's bigrams, all fields, looked up with prefetching (the
      // tables are far larger than the caches).
      std::array<size_t, kFields + 1> key_start{};
      keys.clear();
      for (size_t f = 0; f < kFields; ++f) {
        key_start[f] = keys.size();
        AppendPairs(text, f, ids, &keys);
      }
      key_start[kFields] = keys.size();
      pair_cols.resize(keys.size());
      for (size_t k = 0; k < keys.size(); ++k) {
        if (k + kAhead < keys.size()) {
          pair_tables[PairPartition(keys[k + kAhead], partitions)].index.prefetch(keys[k + kAhead]);
        }
        const PairTable& table = pair_tables[PairPartition(keys[k], partitions)];
        const auto it = table.index.find(keys[k]);
        pair_cols[k] = it == table.index.end() ? -1 : it->second;
      }
      FieldColumns c;
      for (size_t f = 0; f < kFields; ++f) {
        c.start[f] = static_cast<uint32_t>(c.entries.size());
        cols.clear();
        for (uint32_t k = text.start[f]; k < text.start[f + 1]; ++k) {
          const int32_t col = word_cols[TokenWord(text.tokens[k])];
          if (col >= 0) cols.push_back(col);
        }
        for (size_t k = key_start[f]; k < key_start[f + 1]; ++k) {
          if (pair_cols[k] >= 0) cols.push_back(pair_cols[k]);
        }
        // Column order, as Embed() has it: sums then run in one order, so a
        // row does not depend on which thread saw a term first.
        AppendCounts(&cols, &c.entries);
      }
      c.start[kFields] = static_cast<uint32_t>(c.entries.size());
      rows[r] = e.Weigh(c);
    });
    size_t block_nonzeros = 0;
    for (const auto& row : rows) block_nonzeros += row.size();
    size_t at = inner.size();
    int32_t* column = inner.Extend(block_nonzeros);
    float* value = values.Extend(block_nonzeros);
    for (size_t r = 0; r < rows.size(); ++r) {
      outer[first + r] = static_cast<int32_t>(at);
      for (const auto& [col, v] : rows[r]) {
        *column++ = col;
        *value++ = v;
      }
      at += rows[r].size();
    }
    // The block's tokens are done with: free them and hand the pages back
    // (a buffer under glibc's mmap threshold is freed into the heap), so
    // that the memory shrinks by as much as the matrix grows.
    for (auto& blocks : token_blocks) std::vector<uint32_t>().swap(blocks[first / kWeighBlock]);
    ReturnFreedMemory();
  }
  rows = {};
  pair_tables.clear();
  outer[articles.size()] = static_cast<int32_t>(inner.size());
  e.matrix_ = {static_cast<int32_t>(articles.size()), static_cast<int32_t>(e.terms_.size()),
               FrozenArray<int32_t>(std::move(outer)), FrozenArray<int32_t>::Own(std::move(inner)),
               FrozenArray<float>::Own(std::move(values))};
  return e;
}

absl::StatusOr<Embeddings> Embeddings::FromParts(const EmbeddingOptions& options, Vocabulary terms,
                                                 FrozenArray<float> idf, MatrixParts matrix) {
  const size_t n_terms = terms.size();
  if (idf.size() != n_terms || matrix.cols < 0 || static_cast<size_t>(matrix.cols) != n_terms) {
    return absl::InvalidArgumentError(absl::StrCat(n_terms, " terms but ", idf.size(),
                                                   " idf values and ", matrix.cols, " columns"));
  }
  for (size_t j = 0; j < n_terms; ++j) {
    if (!std::isfinite(idf[j])) {
      return absl::InvalidArgumentError(absl::StrCat("idf of term ", j, " is not finite"));
    }
  }
  const auto rows = static_cast<size_t>(std::max(matrix.rows, 0));
  if (matrix.rows < 0 || matrix.row_starts.size() != rows + 1 ||
      matrix.columns.size() != matrix.values.size()) {
    return absl::InvalidArgumentError(absl::StrCat(matrix.row_starts.size(), " row starts for ",
                                                   matrix.rows, " rows, ", matrix.columns.size(),
                                                   " columns for ", matrix.values.size(), " values"));
  }
  const int32_t* outer = matrix.row_starts.data();
  const int32_t* inner = matrix.columns.data();
  const float* value = matrix.values.data();
  if (outer[0] != 0 || static_cast<size_t>(outer[rows]) != matrix.values.size()) {
    return absl::InvalidArgumentError("row starts do not span the non-zeros");
  }
  // All row starts first: with them monotone from 0 to the non-zeros, every
  // row's range lies inside the arrays.
  for (size_t r = 0; r < rows; ++r) {
    if (outer[r] > outer[r + 1]) {
      return absl::InvalidArgumentError(absl::StrCat("row starts decrease at row ", r));
    }
  }
  // What is wrong with row r, if anything: its first bad entry decides.
  enum class RowFault { kNone, kColumn, kValue };
  auto fault = [&](size_t r) {
    for (int32_t k = outer[r]; k < outer[r + 1]; ++k) {
      if (inner[k] < 0 || inner[k] >= matrix.cols || (k > outer[r] && inner[k] <= inner[k - 1])) {
        return RowFault::kColumn;
      }
      if (!(value[k] >= 0.0f && value[k] <= std::numeric_limits<float>::max())) {
        return RowFault::kValue;
      }
    }
    return RowFault::kNone;
  };
  // Rows in parallel: a million-article model has hundreds of millions of
  // non-zeros, and this check is most of the cost of loading one.
  const size_t bad =
      ParallelFindFirst(rows, 4096, ThreadCount(0), [&](size_t r) { return fault(r) != RowFault::kNone; });
  if (bad < rows) {
    return absl::InvalidArgumentError(
        fault(bad) == RowFault::kValue
            ? absl::StrCat("value in row ", bad, " is negative or not finite")
            : absl::StrCat("column indices of row ", bad, " out of range or not increasing"));
  }
  Embeddings e;
  e.options_ = options;
  e.analyzer_ = Analyzer(options.analyzer);
  e.terms_ = std::move(terms);
  e.idf_ = std::move(idf);
  e.SetTermWeights();
  e.matrix_ = std::move(matrix);
  return e;
}

absl::StatusOr<Embeddings> Embeddings::FromParts(const EmbeddingOptions& options, Vocabulary terms,
                                                 std::vector<float> idf, const SparseMatrix& matrix) {
  SparseMatrix m = matrix;
  m.makeCompressed();
  const auto nnz = static_cast<size_t>(m.nonZeros());
  MatrixParts parts{
      static_cast<int32_t>(m.rows()), static_cast<int32_t>(m.cols()),
      FrozenArray<int32_t>(std::vector<int32_t>(m.outerIndexPtr(), m.outerIndexPtr() + m.rows() + 1)),
      FrozenArray<int32_t>(std::vector<int32_t>(m.innerIndexPtr(), m.innerIndexPtr() + nnz)),
      FrozenArray<float>(std::vector<float>(m.valuePtr(), m.valuePtr() + nnz))};
  return FromParts(options, std::move(terms), FrozenArray<float>(std::move(idf)), std::move(parts));
}

Embeddings Embeddings::WithoutVocabulary() const {
  Embeddings e = *this;
  e.terms_ = Vocabulary();
  e.idf_ = FrozenArray<float>();
  e.term_weight_ = FrozenArray<double>();
  return e;
}

SparseVector Embeddings::Embed(const Article& article) const {
  if (!can_embed()) return SparseVector(matrix_.cols);
  const std::array<double, kFields> weights = WeightArray(options_.fields);
  const std::array<bool, kFields> bigrams = BigramFields(options_.fields);
  const auto texts = FieldTexts(article);
  FieldColumns c;
  std::vector<std::string> terms;
  std::vector<int32_t> cols;
  for (size_t f = 0; f < kFields; ++f) {
    c.start[f] = static_cast<uint32_t>(c.entries.size());
    if (weights[f] <= 0 || texts[f]->empty()) continue;
    terms.clear();
    analyzer_.Analyze(*texts[f], &terms, bigrams[f]);
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
