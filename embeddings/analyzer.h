// Text analysis: turns article text into index terms.
//
// The pipeline, each step switchable in AnalyzerOptions:
//  1. strip_markup: markdown and HTML residue becomes spaces: literal "\n"
//     sequences, HTML tags, URLs, entities (&nbsp; &amp; &#39; ... decoded),
//     list numbers ("1." or "2)" after punctuation or at the start).
//     Markdown emphasis, backticks and '#' headings need no rule: `*`, `_`, '`'
//     and a '#' that does not follow a word are separators.
//  2. normalize: Unicode NFKC, case folding, default-ignorables removed, and
//     typographic quotes and dashes lumped to ASCII ("’" -> "'").
//     fold_accents also strips combining marks ("naïve" -> "naive").
//  3. Tokenisation: a token is a run of letters, digits and marks. Inside a
//     token, '.' and '\'' join when a word character is on both sides
//     ("16p11.2", "3.14", "node.js", "don't"), and so does '-' when a digit
//     is next to it ("covid-19", "16p11-2"). A hyphen between letters
//     separates ("feature-request" is "feature", "request", bigram
//     "feature_request"), so that compounds match their spelling with spaces.
//     "++" or "#" right after a letters-only token is kept ("c++", "c#") unless
//     a word character follows. Everything else separates: "o(n log n)" is
//     "o", "n", "log", "n".
//  4. Tokens shorter than min_length code points are dropped.
//  5. remove_stopwords: the Snowball English stopword list plus modal verbs.
//  6. stem: Snowball English stemmer (libstemmer).
//  7. bigrams: after the unigrams of a text, "a_b" for every two adjacent
//     kept tokens not separated by a dropped token or by sentence punctuation
//     (. , ; : ! ? brackets quotes |).
#ifndef SEEALSO_EMBEDDINGS_ANALYZER_H_
#define SEEALSO_EMBEDDINGS_ANALYZER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace seealso {

struct AnalyzerOptions {
  bool strip_markup = true;
  bool normalize = true;
  bool fold_accents = true;
  int min_length = 1;
  bool remove_stopwords = true;
  bool stem = true;
  bool bigrams = true;

  friend bool operator==(const AnalyzerOptions&, const AnalyzerOptions&) = default;
};

// Thread-safe: one Analyzer may serve all threads (each thread gets its own
// stemmer, since libstemmer's are not thread-safe).
class Analyzer {
 public:
  explicit Analyzer(AnalyzerOptions options = {});

  // Appends the terms of `text`, in order of appearance (bigrams after
  // unigrams), to `terms`. Invalid UTF-8 bytes act as separators. With
  // `bigrams` false, only the unigrams (for a field that makes no bigrams).
  void Analyze(absl::string_view text, std::vector<std::string>* terms,
               bool bigrams = true) const;

  // The same analysis before bigrams are spelled out: `words` gets the kept
  // unigrams in order (replacing its contents), and `joins_previous[k]` is 1
  // when words[k - 1] and words[k] form the bigram "words[k-1]_words[k]"
  // (never for k = 0; all 0 when bigrams are off). Lets an indexer key
  // bigrams by word ids instead of building their strings.
  void AnalyzeWords(absl::string_view text, std::vector<std::string>* words,
                    std::vector<uint8_t>* joins_previous) const;

  // The same words through a callback, uncopied: f(word, joins_previous,
  // memo) for each kept word in order, `word` valid during the call only.
  // `memo` is an int the caller may set for this thread's later sightings
  // of the same spelling under the same `generation` (from
  // NewMemoGeneration(); it reads -1 until set, and again whenever the
  // analyzer forgot the spelling): an indexer numbering words keeps each
  // word's number there and skips its own lookup (a corpus's tokens are
  // mostly repeats). Generation 0 never remembers.
  void ForEachWord(absl::string_view text, uint64_t generation,
                   absl::FunctionRef<void(absl::string_view word, bool joins_previous,
                                          int32_t* memo)>
                       f) const;
  // A generation no earlier call returned (thread-safe).
  static uint64_t NewMemoGeneration();

  const AnalyzerOptions& options() const { return options_; }

 private:
  AnalyzerOptions options_;
};

// True if `term` is a bigram made by the analyzer ("a_b"): tokens never hold '_'.
bool IsBigram(absl::string_view term);

// True if `word` (case-folded) is on the analyzer's English stopword list.
bool IsStopword(absl::string_view word);

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_ANALYZER_H_
