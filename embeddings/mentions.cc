#include "embeddings/mentions.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/strings/str_cat.h"
#include "common/parallel.h"

namespace seealso {
namespace {

constexpr int kMaxTitleWords = 64;
// Below this many articles naming it, a title always counts (MentionOptions::max_df).
constexpr int kMinMentionCeiling = 5;
// Polynomial hashing over word hashes (mod 2^64): the hash of a word
// sequence from prefix hashes in O(1), for any start and length.
constexpr uint64_t kBase = 0x9E3779B97F4A7C15ull;
// The prefix filter has ~32 bits a title, rounded up to a power of 2, from
// 8 KiB (in L1 for small sites) to 8 MiB (a few % false hits at a million).
constexpr int kMinFilterLog2 = 16;
constexpr int kMaxFilterLog2 = 26;

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

const std::array<uint64_t, kMaxTitleWords + 1>& Powers() {
  static const auto* const kPowers = [] {
    auto* p = new std::array<uint64_t, kMaxTitleWords + 1>;
    (*p)[0] = 1;
    for (int i = 1; i <= kMaxTitleWords; ++i) (*p)[i] = (*p)[i - 1] * kBase;
    return p;
  }();
  return *kPowers;
}

// Bit j set if byte p[j] of a 64-byte block is a word byte: an ASCII
// letter or digit, or a non-ASCII byte. Also sets *backslashes and *ens to
// the bits of '\\' and 'n' bytes (for the literal "\n" of exported text).
uint64_t WordBytes(const unsigned char* p, uint64_t* backslashes, uint64_t* ens) {
  uint64_t word = 0, bs = 0, n = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  for (int q = 0; q < 4; ++q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q));
    const __m128i high = _mm_cmplt_epi8(v, zero);  // >= 0x80
    const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                        _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                         _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    const auto shift = static_cast<unsigned>(16 * q);
    word |= static_cast<uint64_t>(static_cast<uint32_t>(
                _mm_movemask_epi8(_mm_or_si128(high, _mm_or_si128(digit, letter)))))
            << shift;
    bs |= static_cast<uint64_t>(
              static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))))
          << shift;
    n |= static_cast<uint64_t>(
             static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('n')))))
         << shift;
  }
#else
  for (int j = 0; j < 64; ++j) {
    const unsigned char c = p[j];
    const unsigned char lower = c | 0x20;
    const bool is_word = c >= 0x80 || (c >= '0' && c <= '9') || (lower >= 'a' && lower <= 'z');
    word |= static_cast<uint64_t>(is_word) << j;
    bs |= static_cast<uint64_t>(c == '\\') << j;
    n |= static_cast<uint64_t>(c == 'n') << j;
  }
#endif
  *backslashes = bs;
  *ens = n;
  return word;
}

// The hash of the word text[from, to): its bytes, ASCII letters lowercased,
// 8 at a time (little-endian; a partial last load is zero-padded, and word
// bytes are never 0, so the packing is exact), each full 8 mixed in.
inline __attribute__((always_inline)) uint64_t WordHash(const unsigned char* text, size_t size,
                                                        size_t from, size_t to) {
  uint64_t h = 0;
  for (;;) {
    const size_t len = std::min<size_t>(8, to - from);
    uint64_t x = 0;
    if (from + 8 <= size) {  // one load, the bytes past the word masked off
      std::memcpy(&x, text + from, 8);
      if (len < 8) x &= (uint64_t{1} << (8 * len)) - 1;
    } else {
      std::memcpy(&x, text + from, len);
    }
    // ASCII 'A'..'Z' gain 0x20: the high bit of each byte of `upper` marks them.
    const uint64_t low7 = x & 0x7F7F7F7F7F7F7F7Full;
    const uint64_t at_least_a = low7 + 0x3F3F3F3F3F3F3F3Full;  // + (0x80 - 'A')
    const uint64_t above_z = low7 + 0x2525252525252525ull;     // + (0x80 - 'Z' - 1)
    const uint64_t upper = at_least_a & ~above_z & ~x & 0x8080808080808080ull;
    x |= upper >> 2;
    from += len;
    if (from == to) return Mix(h ^ x);
    h = (h ^ x) * 0x9E3779B97F4A7C15ull;
  }
}

// Appends the hash of every word of `text` to *words (see TitleMatcher):
// word bytes are found 64 at a time (SSE2 compares), words as runs of set
// bits, where a branch per byte made this loop most of the cost.
void WordHashes(absl::string_view text, std::vector<uint64_t>* words) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t pending = SIZE_MAX;  // start of a word running into the next block
  uint64_t backslash_before = 0;
  unsigned char tail[64];
  for (size_t block = 0; block < size; block += 64) {
    const unsigned char* at = p + block;
    if (size - block < 64) {  // the last, partial block: zero bytes separate
      std::memset(tail, 0, sizeof(tail));
      std::memcpy(tail, at, size - block);
      at = tail;
    }
    uint64_t bs = 0, ens = 0;
    uint64_t m = WordBytes(at, &bs, &ens);
    m &= ~(ens & (bs << 1 | backslash_before));  // "\n": the 'n' separates
    backslash_before = bs >> 63;
    // A word from the previous block ends here unless this block goes on with it.
    if (pending != SIZE_MAX && (m & 1) == 0) {
      words->push_back(WordHash(p, size, pending, block));
      pending = SIZE_MAX;
    }
    while (m != 0) {
      const auto s = static_cast<unsigned>(__builtin_ctzll(m));
      const uint64_t from_s = m >> s;
      const unsigned e =  // the run is bits [s, e)
          s + (~from_s == 0 ? 64 - s : static_cast<unsigned>(__builtin_ctzll(~from_s)));
      const size_t start = pending != SIZE_MAX ? pending : block + s;  // pending: s is 0
      if (e == 64) {
        pending = start;
        break;
      }
      words->push_back(WordHash(p, size, start, block + e));
      pending = SIZE_MAX;
      m &= ~((uint64_t{1} << e) - 1);
    }
  }
  if (pending != SIZE_MAX) words->push_back(WordHash(p, size, pending, size));
}

// hash of words[from, to) given prefix[i] = hash of words[0, i).
uint64_t RangeHash(const std::vector<uint64_t>& prefix, size_t from, size_t to) {
  return prefix[to] - prefix[from] * Powers()[to - from];
}

uint64_t SequenceKey(uint64_t range_hash, size_t length) { return Mix(range_hash + length); }

}  // namespace

TitleMatcher::TitleMatcher(const StringColumn& titles, int min_title_words,
                           absl::Span<const int32_t> ignored)
    : min_words_(min_title_words) {
  if (min_words_ <= 0 || min_words_ > kMaxTitleWords) return;
  int log2_bits = kMinFilterLog2;
  while (log2_bits < kMaxFilterLog2 && (size_t{1} << log2_bits) < 32 * titles.size()) ++log2_bits;
  filter_shift_ = 64 - log2_bits;
  prefix_filter_.assign((size_t{1} << log2_bits) / 64, 0);
  std::vector<uint64_t> words;
  size_t next_ignored = 0;
  for (size_t d = 0; d < titles.size(); ++d) {
    while (next_ignored < ignored.size() && static_cast<size_t>(ignored[next_ignored]) < d) {
      ++next_ignored;
    }
    if (next_ignored < ignored.size() && static_cast<size_t>(ignored[next_ignored]) == d) continue;
    words.clear();
    WordHashes(titles[d], &words);
    const size_t length = words.size();
    if (length < static_cast<size_t>(min_words_) || length > kMaxTitleWords) continue;
    uint64_t h = 0;
    for (uint64_t w : words) h = h * kBase + w;
    by_sequence_[SequenceKey(h, length)].push_back(static_cast<int32_t>(d));
    uint64_t p = 0;
    for (int i = 0; i < min_words_; ++i) p = p * kBase + words[static_cast<size_t>(i)];
    // The polynomial hash of mixed word hashes: its high bits pick the
    // filter's bit, and the map hashes it again.
    lengths_by_prefix_[p] |= uint64_t{1} << (length - 1);
    const uint64_t bit = p >> filter_shift_;
    prefix_filter_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  if (by_sequence_.empty()) prefix_filter_.clear();
}

void TitleMatcher::FindInto(absl::string_view text, std::vector<uint64_t>* words,
                            std::vector<int32_t>* docs) const {
  if (by_sequence_.empty()) return;
  words->clear();
  WordHashes(text, words);
  const size_t n = words->size();
  const auto k = static_cast<size_t>(min_words_);
  if (n < k) return;
  // The words become their prefix hashes, in place: prefix[i] is the hash
  // of words [0, i).
  std::vector<uint64_t>& prefix = *words;
  uint64_t running = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t word = prefix[i];
    prefix[i] = running;
    running = running * kBase + word;
  }
  prefix.push_back(running);
  const uint64_t power_k = Powers()[k];
  for (size_t i = 0; i + k <= n; ++i) {
    const uint64_t key = prefix[i + k] - prefix[i] * power_k;  // RangeHash(prefix, i, i + k)
    const uint64_t bit = key >> filter_shift_;
    if ((prefix_filter_[bit / 64] >> (bit % 64) & 1) == 0) continue;
    auto it = lengths_by_prefix_.find(key);
    if (it == lengths_by_prefix_.end()) continue;
    for (uint64_t lengths = it->second; lengths != 0; lengths &= lengths - 1) {
      const auto length = static_cast<size_t>(__builtin_ctzll(lengths)) + 1;
      if (i + length > n) break;
      auto found = by_sequence_.find(SequenceKey(RangeHash(prefix, i, i + length), length));
      if (found != by_sequence_.end())
        docs->insert(docs->end(), found->second.begin(), found->second.end());
    }
  }
}

void TitleMatcher::FindSorted(absl::Span<const absl::string_view> texts,
                              std::vector<uint64_t>* words, std::vector<int32_t>* docs) const {
  docs->clear();
  for (absl::string_view text : texts) FindInto(text, words, docs);
  std::sort(docs->begin(), docs->end());
  docs->erase(std::unique(docs->begin(), docs->end()), docs->end());
}

std::vector<int32_t> TitleMatcher::Find(absl::Span<const absl::string_view> texts) const {
  std::vector<uint64_t> words;
  std::vector<int32_t> docs;
  FindSorted(texts, &words, &docs);
  return docs;
}

Mentions Mentions::Find(const std::vector<Article>& articles, const MentionOptions& options,
                        int threads) {
  const size_t n = articles.size();
  if (options.min_title_words <= 0 || n < 2) return Mentions();
  StringColumnBuilder titles;
  for (const Article& a : articles) titles.Add(a.title);
  const StringColumn title_column = titles.Finish();
  const TitleMatcher matcher(title_column, options.min_title_words);
  if (matcher.empty()) return Mentions();

  // found[a]: the documents whose titles article a's text holds, once each.
  std::vector<std::vector<int32_t>> found(n);
  threads = std::max(1, std::min(ThreadCount(threads), static_cast<int>(n / 256) + 1));
  ParallelFor(static_cast<size_t>(threads), threads, [&](size_t t, int) {
    std::vector<uint64_t> words;
    for (size_t a = n * t / static_cast<size_t>(threads);
         a < n * (t + 1) / static_cast<size_t>(threads); ++a) {
      std::vector<int32_t>& docs = found[a];
      matcher.FindSorted({articles[a].question, articles[a].answer}, &words, &docs);
      docs.erase(std::remove(docs.begin(), docs.end(), static_cast<int32_t>(a)), docs.end());
    }
  });

  // Titles found in too many articles are common phrases: they count for none.
  std::vector<int32_t> found_in(n, 0);
  for (const std::vector<int32_t>& docs : found) {
    for (int32_t d : docs) ++found_in[static_cast<size_t>(d)];
  }
  const double most =
      std::max(static_cast<double>(kMinMentionCeiling), options.max_df * static_cast<double>(n));
  std::vector<int32_t> ignored;
  for (size_t d = 0; d < n; ++d) {
    if (found_in[d] > most) ignored.push_back(static_cast<int32_t>(d));
  }
  auto is_ignored = [&](int32_t d) { return found_in[static_cast<size_t>(d)] > most; };

  // Both directions, as one sorted list per document.
  std::vector<int64_t> start(n + 1, 0);
  for (size_t a = 0; a < n; ++a) {
    for (int32_t d : found[a]) {
      if (is_ignored(d)) continue;
      ++start[a + 1];
      ++start[static_cast<size_t>(d) + 1];
    }
  }
  for (size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<int32_t> doc(static_cast<size_t>(start[n]));
  std::vector<int64_t> fill(start.begin(), start.end() - 1);
  for (size_t a = 0; a < n; ++a) {
    for (int32_t d : found[a]) {
      if (is_ignored(d)) continue;
      doc[static_cast<size_t>(fill[a]++)] = d;
      doc[static_cast<size_t>(fill[static_cast<size_t>(d)]++)] = static_cast<int32_t>(a);
    }
  }
  // A pair found both ways is listed twice in each row: keep it once.
  std::vector<int64_t> compact(n + 1, 0);
  size_t out = 0;
  for (size_t d = 0; d < n; ++d) {
    auto first = doc.begin() + start[d];
    auto last = doc.begin() + start[d + 1];
    std::sort(first, last);
    last = std::unique(first, last);
    for (auto it = first; it != last; ++it) doc[out++] = *it;
    compact[d + 1] = static_cast<int64_t>(out);
  }
  doc.resize(out);
  doc.shrink_to_fit();
  Mentions m;
  m.start_ = FrozenArray<int64_t>(std::move(compact));
  m.doc_ = FrozenArray<int32_t>(std::move(doc));
  m.ignored_ = FrozenArray<int32_t>(std::move(ignored));
  return m;
}

absl::StatusOr<Mentions> Mentions::FromParts(int32_t docs, FrozenArray<int64_t> start,
                                             FrozenArray<int32_t> doc,
                                             FrozenArray<int32_t> ignored) {
  if (docs < 0) return absl::InvalidArgumentError("a negative number of documents");
  const auto n = static_cast<size_t>(docs);
  for (size_t i = 0; i < ignored.size(); ++i) {
    if (ignored[i] < 0 || ignored[i] >= docs || (i > 0 && ignored[i] <= ignored[i - 1])) {
      return absl::InvalidArgumentError("ignored titles: not sorted documents in range");
    }
  }
  if (start.empty() && doc.empty()) {
    Mentions m;
    m.ignored_ = std::move(ignored);
    return m;
  }
  if (start.size() != n + 1 || start[0] != 0 || static_cast<uint64_t>(start[n]) != doc.size()) {
    return absl::InvalidArgumentError(absl::StrCat("mention starts do not span the ", doc.size(),
                                                   " mentions of ", n, " documents"));
  }
  // Starts first: non-decreasing from 0 to doc.size(), every list is in range.
  for (size_t d = 0; d < n; ++d) {
    if (start[d] > start[d + 1]) {
      return absl::InvalidArgumentError(absl::StrCat("mention starts decrease at document ", d));
    }
  }
  for (size_t d = 0; d < n; ++d) {
    for (int64_t i = start[d]; i < start[d + 1]; ++i) {
      const int32_t x = doc[static_cast<size_t>(i)];
      if (x < 0 || x >= docs || x == static_cast<int32_t>(d) ||
          (i > start[d] && x <= doc[static_cast<size_t>(i - 1)])) {
        return absl::InvalidArgumentError(
            absl::StrCat("mentions of document ", d, ": not sorted distinct other documents"));
      }
    }
  }
  Mentions m;
  m.start_ = std::move(start);
  m.doc_ = std::move(doc);
  m.ignored_ = std::move(ignored);
  return m;
}

}  // namespace seealso
