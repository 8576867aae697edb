#include "embeddings/analyzer.h"

#include <array>
#include <atomic>
#include <cstdlib>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libstemmer.h"
#include "utf8proc.h"

namespace seealso {
namespace {

// The Snowball English stopword list (snowballstem.org, english.stop), plus
// the modal verbs and "also", which it leaves out but carry no topic either.
const absl::flat_hash_set<absl::string_view>& Stopwords() {
  static const auto* const kWords = new absl::flat_hash_set<absl::string_view>{
      "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
      "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
      "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
      "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
      "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "would",
      "should", "could", "ought", "i'm", "you're", "he's", "she's", "it's", "we're", "they're",
      "i've", "you've", "we've", "they've", "i'd", "you'd", "he'd", "she'd", "we'd", "they'd",
      "i'll", "you'll", "he'll", "she'll", "we'll", "they'll", "isn't", "aren't", "wasn't",
      "weren't", "hasn't", "haven't", "hadn't", "doesn't", "don't", "didn't", "won't",
      "wouldn't", "shan't", "shouldn't", "can't", "cannot", "couldn't", "mustn't", "let's",
      "that's", "who's", "what's", "here's", "there's", "when's", "where's", "why's", "how's",
      "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at",
      "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
      "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over",
      "under", "again", "further", "then", "once", "here", "there", "when", "where", "why",
      "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no",
      "nor", "not", "only", "own", "same", "so", "than", "too", "very",
      // Additions.
      "can", "will", "shall", "may", "might", "must", "also"};
  return *kWords;
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp >= 0 && cp < 128) {  // most text: no encoder call, no append of a buffer
    out->push_back(static_cast<char>(cp));
    return;
  }
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(cp, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

bool IsAsciiAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

// Decodes the entity at text[i] == '&' into `out` and returns its length, or 0
// if there is no well-formed entity there.
size_t DecodeEntity(absl::string_view text, size_t i, std::string* out) {
  static const auto* const kNamed = new absl::flat_hash_map<absl::string_view, absl::string_view>{
      {"nbsp", " "}, {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
  size_t j = i + 1;
  const bool numeric = j < text.size() && text[j] == '#';
  const bool hex = numeric && j + 1 < text.size() && (text[j + 1] == 'x' || text[j + 1] == 'X');
  j += numeric + hex;
  const size_t start = j;
  while (j < text.size() && j - start < 10 &&
         (hex ? absl::ascii_isxdigit(static_cast<unsigned char>(text[j]))
              : numeric ? absl::ascii_isdigit(static_cast<unsigned char>(text[j]))
                        : IsAsciiAlnum(text[j]))) {
    ++j;
  }
  if (j == start || j >= text.size() || text[j] != ';') return 0;
  const absl::string_view name = text.substr(start, j - start);
  if (numeric) {
    const long cp = std::strtol(std::string(name).c_str(), nullptr, hex ? 16 : 10);
    if (utf8proc_codepoint_valid(static_cast<utf8proc_int32_t>(cp)) && cp > 0) {
      AppendUtf8(static_cast<int32_t>(cp), out);
    } else {
      out->push_back(' ');
    }
  } else {
    auto it = kNamed->find(absl::AsciiStrToLower(name));
    const absl::string_view decoded = it == kNamed->end() ? absl::string_view(" ") : it->second;
    out->append(decoded.data(), decoded.size());
  }
  return j + 1 - i;
}

// Step 1: markdown and HTML residue to spaces (list numbers are left to the
// tokenizer, which knows token boundaries), into `*out_buffer`.
void StripMarkup(absl::string_view text, std::string* out_buffer) {
  std::string& out = *out_buffer;
  out.clear();
  out.reserve(text.size());
  // Bytes no rule below starts at, copied in runs.
  static constexpr auto kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 0; c < 256; ++c) {
      plain[static_cast<size_t>(c)] = c != '\\' && c != '<' && c != '&';
    }
    return plain;
  }();
  auto url_start = [&](size_t i) {
    const char c = text[i];
    return (c == 'h' || c == 'H' || c == 'w' || c == 'W') && (i == 0 || !IsAsciiAlnum(text[i - 1]));
  };
  for (size_t i = 0; i < text.size();) {
    size_t run = i;
    while (run < text.size() && kPlain[static_cast<unsigned char>(text[run])] && !url_start(run)) ++run;
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const char c = text[i];
    const bool word_start = i == 0 || !IsAsciiAlnum(text[i - 1]);
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == 'n' || text[i + 1] == 'r' || text[i + 1] == 't')) {
      out.push_back(' ');
      i += 2;
      continue;
    }
    if (c == '<' && i + 1 < text.size() &&
        (absl::ascii_isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '/' ||
         text[i + 1] == '!')) {
      // A tag ends at the next '>' (tags are short; a stray '<' is not a tag).
      const size_t end = text.find_first_of("<>", i + 1);
      if (end != absl::string_view::npos && text[end] == '>' && end - i <= 512) {
        out.push_back(' ');
        i = end + 1;
        continue;
      }
    }
    if (c == '&') {
      if (const size_t n = DecodeEntity(text, i, &out); n > 0) {
        i += n;
        continue;
      }
    }
    if (word_start && (c == 'h' || c == 'H' || c == 'w' || c == 'W') &&
        (absl::StartsWithIgnoreCase(text.substr(i), "http://") ||
                       absl::StartsWithIgnoreCase(text.substr(i), "https://") ||
                       absl::StartsWithIgnoreCase(text.substr(i), "www."))) {
      while (i < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[i]))) ++i;
      out.push_back(' ');
      continue;
    }
    out.push_back(c);
    ++i;
  }
}

// Decodes UTF-8 into code points; an invalid byte becomes a space.
std::vector<int32_t> Decode(absl::string_view text) {
  std::vector<int32_t> cps;
  cps.reserve(text.size());
  // ASCII bytes are their own code points; utf8proc only past the first other byte.
  size_t ascii = 0;
  while (ascii < text.size() && static_cast<unsigned char>(text[ascii]) < 0x80) {
    cps.push_back(static_cast<unsigned char>(text[ascii++]));
  }
  text.remove_prefix(ascii);
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      cps.push_back(' ');
      ++p;
      --left;
    } else {
      cps.push_back(cp);
      p += n;
      left -= n;
    }
  }
  return cps;
}

// What Normalize does to each ASCII code point alone, or nullptr if some
// ASCII code point does not map to exactly one ASCII code point. No
// normalisation step combines ASCII code points (none is a combining mark),
// so on ASCII text the mapping is per code point: a table lookup instead of
// two UTF-8 round trips.
const std::array<int32_t, 128>* AsciiNormalization(bool fold_accents) {
  auto make = [](bool fold) -> const std::array<int32_t, 128>* {
    auto* table = new std::array<int32_t, 128>;
    int flags = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                UTF8PROC_IGNORE | UTF8PROC_LUMP;
    if (fold) flags |= UTF8PROC_STRIPMARK;
    for (int c = 0; c < 128; ++c) {
      const auto in = static_cast<utf8proc_uint8_t>(c);
      utf8proc_uint8_t* mapped = nullptr;
      const utf8proc_ssize_t n =
          utf8proc_map(&in, 1, &mapped, static_cast<utf8proc_option_t>(flags));
      std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
      if (n != 1 || mapped[0] >= 128) {
        delete table;
        return nullptr;
      }
      (*table)[static_cast<size_t>(c)] = mapped[0];
    }
    return table;
  };
  static const std::array<int32_t, 128>* const kPlain = make(false);
  static const std::array<int32_t, 128>* const kFolded = make(true);
  return fold_accents ? kFolded : kPlain;
}

// Whether AsciiNormalization(fold_accents) is plain ASCII lowercasing (what
// utf8proc's NFKC case folding does to ASCII, accents folded or not): the
// mapping then needs no table lookup.
bool AsciiNormalizationLowercases(bool fold_accents) {
  auto lowercases = [](const std::array<int32_t, 128>* t) {
    if (t == nullptr) return false;
    for (int c = 0; c < 128; ++c) {
      if ((*t)[static_cast<size_t>(c)] != (c >= 'A' && c <= 'Z' ? c + 32 : c)) return false;
    }
    return true;
  };
  static const bool kPlain = lowercases(AsciiNormalization(false));
  static const bool kFolded = lowercases(AsciiNormalization(true));
  return fold_accents ? kFolded : kPlain;
}

// Step 2 on code points that are all valid.
std::vector<int32_t> Normalize(const std::vector<int32_t>& cps, bool fold_accents) {
  if (const auto* table = AsciiNormalization(fold_accents); table != nullptr) {
    bool ascii = true;
    for (int32_t cp : cps) ascii = ascii && cp < 128;
    if (ascii) {
      std::vector<int32_t> out(cps.size());
      for (size_t i = 0; i < cps.size(); ++i) out[i] = (*table)[static_cast<size_t>(cps[i])];
      return out;
    }
  }
  std::string valid;
  valid.reserve(cps.size());
  for (int32_t cp : cps) AppendUtf8(cp, &valid);
  int flags = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
              UTF8PROC_IGNORE | UTF8PROC_LUMP;
  if (fold_accents) flags |= UTF8PROC_STRIPMARK;
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &mapped,
                   static_cast<utf8proc_option_t>(flags));
  if (n < 0) return cps;  // Only on allocation failure: the input is valid.
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  return Decode(absl::string_view(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n)));
}

// Character classes of ASCII code points (the bulk of most text), from
// utf8proc's categories once, so the tokenizer's tests are a table lookup.
enum : uint8_t { kWordClass = 1, kLetterClass = 2, kDigitClass = 4, kSpaceClass = 8 };
uint8_t ClassOf(utf8proc_category_t cat) {
  uint8_t c = 0;
  if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) c |= kWordClass;
  if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) c |= kLetterClass;
  if (cat == UTF8PROC_CATEGORY_ND) c |= kDigitClass;
  if (cat == UTF8PROC_CATEGORY_ZS) c |= kSpaceClass;
  return c;
}
const std::array<uint8_t, 128> kAsciiClass = [] {
  std::array<uint8_t, 128> table{};
  for (int c = 0; c < 128; ++c) table[static_cast<size_t>(c)] = ClassOf(utf8proc_category(c));
  return table;
}();
inline uint8_t Class(int32_t cp) {
  return cp >= 0 && cp < 128 ? kAsciiClass[static_cast<size_t>(cp)] : ClassOf(utf8proc_category(cp));
}

inline bool IsWord(int32_t cp) { return (Class(cp) & kWordClass) != 0; }
inline bool IsLetter(int32_t cp) { return (Class(cp) & kLetterClass) != 0; }
inline bool IsDigit(int32_t cp) { return (Class(cp) & kDigitClass) != 0; }
bool IsSpace(int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || (Class(cp) & kSpaceClass) != 0;
}
// Punctuation that ends a phrase: no bigram spans it.
bool IsPhraseBreak(int32_t cp) {
  switch (cp) {
    case '.': case ',': case ';': case ':': case '!': case '?': case '(': case ')':
    case '[': case ']': case '{': case '}': case '"': case '|':
      return true;
    default:
      return false;
  }
}

// A token: code points [begin, end) of the tokenized text, and whether a
// phrase break precedes it.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool after_break = false;
};

template <typename C, typename Pred>
bool All(const C* cps, size_t begin, size_t end, Pred pred) {
  for (size_t i = begin; i < end; ++i) {
    if (!pred(cps[i])) return false;
  }
  return true;
}

// Step 3, on code points (C = int32_t) or, for ASCII text, on its bytes
// (C = unsigned char): one tokenizer for both, so they cannot disagree.
// `strip_list_numbers` drops "1." / "2)" where a list item starts.
template <typename C>
void Tokenize(const C* cps, size_t n, bool strip_list_numbers, std::vector<Span>* tokens) {
  tokens->clear();
  bool after_break = true;
  for (size_t i = 0; i < n;) {
    if (!IsWord(cps[i])) {
      if (IsPhraseBreak(cps[i])) after_break = true;
      ++i;
      continue;
    }
    const size_t start = i;
    size_t end = i;
    while (end < n) {
      if (IsWord(cps[end])) {
        ++end;
      } else if (end + 1 < n && IsWord(cps[end + 1]) &&
                 (cps[end] == '.' || cps[end] == '\'' ||
                  (cps[end] == '-' && (IsDigit(cps[end - 1]) || IsDigit(cps[end + 1]))))) {
        end += 2;
      } else {
        break;
      }
    }
    auto free_after = [&](size_t k) { return k >= n || (!IsWord(cps[k]) && cps[k] != '+' && cps[k] != '#'); };
    if (end < n && All(cps, start, end, IsLetter)) {
      if (cps[end] == '#' && free_after(end + 1)) {
        end += 1;
      } else if (cps[end] == '+' && end + 1 < n && cps[end + 1] == '+' && free_after(end + 2)) {
        end += 2;
      }
    }
    i = end;
    if (strip_list_numbers && end - start <= 3 && All(cps, start, end, IsDigit) && end < n &&
        (cps[end] == '.' || cps[end] == ')') && (end + 1 == n || IsSpace(cps[end + 1]))) {
      size_t p = start;
      while (p > 0 && IsSpace(cps[p - 1])) --p;
      if (p == 0 || !IsWord(cps[p - 1])) {
        after_break = true;
        continue;
      }
    }
    tokens->push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end), after_break});
    after_break = false;
  }
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// What steps 5 and 6 make of one token: its stem, and whether it is a stopword;
// and a caller's memo for it (ForEachWord), valid under memo_generation.
struct WordFacts {
  std::string stem;
  bool stopword = false;
  uint64_t memo_generation = 0;
  int32_t memo = -1;
};

// Steps 5 and 6 for `word`, with this thread's stemmer. Word frequencies are
// Zipfian, so a per-thread cache answers most calls with one lookup; it is
// emptied when full rather than evicting, which keeps it simple and bounded.
// The result is valid until this thread's next call.
WordFacts& LookUp(absl::string_view word) {
  thread_local const std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  thread_local absl::flat_hash_map<std::string, WordFacts> cache;
  if (auto it = cache.find(word); it != cache.end()) return it->second;
  WordFacts facts{std::string(word), IsStopword(word)};
  if (stemmer != nullptr) {
    const sb_symbol* s = sb_stemmer_stem(
        stemmer.get(), reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (s != nullptr) {
      facts.stem.assign(reinterpret_cast<const char*>(s),
                        static_cast<size_t>(sb_stemmer_length(stemmer.get())));
    }
  }
  constexpr size_t kMaxCached = 1 << 16;
  if (cache.size() >= kMaxCached) cache.clear();
  return cache.emplace(word, std::move(facts)).first->second;
}

size_t CodePoints(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

bool IsStopword(absl::string_view word) { return Stopwords().contains(word); }

Analyzer::Analyzer(AnalyzerOptions options) : options_(options) {}

void Analyzer::AnalyzeWords(absl::string_view text, std::vector<std::string>* words,
                            std::vector<uint8_t>* joins_previous) const {
  words->clear();
  joins_previous->clear();
  ForEachWord(text, 0, [&](absl::string_view word, bool joins, int32_t*) {
    joins_previous->push_back(joins);
    words->emplace_back(word.data(), word.size());
  });
}

uint64_t Analyzer::NewMemoGeneration() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

void Analyzer::ForEachWord(
    absl::string_view text, uint64_t generation,
    absl::FunctionRef<void(absl::string_view, bool, int32_t*)> f) const {
  // Scratch kept per thread: analysis runs once per field of every article.
  thread_local std::string stripped;
  thread_local std::string ascii;
  thread_local std::vector<int32_t> cps;
  thread_local std::vector<Span> tokens;
  thread_local std::string token;
  absl::string_view input = text;
  if (options_.strip_markup) {
    StripMarkup(text, &stripped);
    input = stripped;
  }
  // ASCII text (most of it) is normalised by a table, byte for byte, and
  // tokenized as bytes; other text goes through code points and utf8proc.
  const std::array<int32_t, 128>* table =
      options_.normalize ? AsciiNormalization(options_.fold_accents) : nullptr;
  bool bytes = options_.normalize ? table != nullptr : true;
  if (bytes) {
    // Mapped and checked for ASCII in one pass, without a branch per byte:
    // the compiler vectorises both (byte-by-byte, with an early exit, the
    // check alone had been a fifth of this function). Text found not to be
    // ASCII after all takes the code point path below.
    ascii.resize(input.size());
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    auto* out = reinterpret_cast<unsigned char*>(ascii.data());
    unsigned char seen = 0;
    if (table == nullptr) {
      for (size_t i = 0; i < input.size(); ++i) seen |= out[i] = in[i];
    } else if (AsciiNormalizationLowercases(options_.fold_accents)) {
      for (size_t i = 0; i < input.size(); ++i) {
        const unsigned char c = in[i];
        seen |= c;
        out[i] = static_cast<unsigned char>(c + (static_cast<unsigned char>(c - 'A') < 26 ? 32 : 0));
      }
    } else {
      for (size_t i = 0; i < input.size(); ++i) {
        seen |= in[i];
        out[i] = static_cast<unsigned char>((*table)[in[i] & 0x7F]);
      }
    }
    bytes = seen < 0x80;
  }
  if (bytes) {
    Tokenize(reinterpret_cast<const unsigned char*>(ascii.data()), ascii.size(),
             options_.strip_markup, &tokens);
  } else {
    cps = Decode(input);
    if (options_.normalize) cps = Normalize(cps, options_.fold_accents);
    Tokenize(cps.data(), cps.size(), options_.strip_markup, &tokens);
  }
  bool dropped = false;
  bool any_word = false;  // kept so far
  for (const Span& t : tokens) {
    absl::string_view spelling;
    if (bytes) {
      spelling = absl::string_view(ascii.data() + t.begin, t.end - t.begin);
    } else {
      token.clear();
      for (uint32_t k = t.begin; k < t.end; ++k) AppendUtf8(cps[k], &token);
      spelling = token;
    }
    // (ASCII: a byte is a code point.)
    bool keep = (bytes ? spelling.size() : CodePoints(spelling)) >=
                static_cast<size_t>(options_.min_length);
    absl::string_view word = spelling;
    int32_t no_memo = -1;
    int32_t* memo = &no_memo;
    if (keep && options_.stem) {
      WordFacts& facts = LookUp(spelling);
      keep = !(options_.remove_stopwords && facts.stopword);
      word = facts.stem;
      if (generation != 0) {
        if (facts.memo_generation != generation) {
          facts.memo_generation = generation;
          facts.memo = -1;
        }
        memo = &facts.memo;
      }
    } else if (keep && options_.remove_stopwords) {
      keep = !IsStopword(spelling);
    }
    if (!keep) {
      dropped = true;
      continue;
    }
    const bool after_break = t.after_break || dropped;
    dropped = false;
    f(word, options_.bigrams && any_word && !after_break, memo);
    any_word = true;
  }
}

void Analyzer::Analyze(absl::string_view text, std::vector<std::string>* terms,
                       bool bigrams) const {
  std::vector<std::string> words;
  std::vector<uint8_t> joins;
  AnalyzeWords(text, &words, &joins);
  terms->insert(terms->end(), words.begin(), words.end());
  if (!bigrams) return;
  for (size_t k = 1; k < words.size(); ++k) {
    if (joins[k]) terms->push_back(words[k - 1] + "_" + words[k]);
  }
}

bool IsBigram(absl::string_view term) { return term.find('_') != absl::string_view::npos; }

}  // namespace seealso
