#include "embeddings/analyzer.h"

#include <array>
#include <cctype>

#include "absl/container/flat_hash_set.h"

namespace seealso {
namespace {

// A short English stopword list: function words that carry no topic.
const absl::flat_hash_set<absl::string_view>& Stopwords() {
  static const auto* const kWords = new absl::flat_hash_set<absl::string_view>{
      "a",     "about", "above", "after", "again", "all",   "also",  "am",    "an",    "and",
      "any",   "are",   "as",    "at",    "be",    "been",  "being", "both",  "but",   "by",
      "can",   "could", "did",   "do",    "does",  "doing", "each",  "for",   "from",  "had",
      "has",   "have",  "having", "he",   "her",   "here",  "hers",  "him",   "his",   "how",
      "i",     "if",    "in",    "into",  "is",    "it",    "its",   "itself", "just", "me",
      "more",  "most",  "my",    "no",    "nor",   "not",   "of",    "off",   "on",    "once",
      "only",  "or",    "other", "our",   "ours",  "out",   "over",  "own",   "same",  "she",
      "should", "so",   "some",  "such",  "than",  "that",  "the",   "their", "theirs", "them",
      "then",  "there", "these", "they",  "this",  "those", "through", "to",  "too",   "under",
      "until", "up",    "very",  "was",   "we",    "were",  "what",  "when",  "where", "which",
      "while", "who",   "whom",  "why",   "will",  "with",  "would", "you",   "your",  "yours"};
  return *kWords;
}

}  // namespace

Analyzer::Analyzer(AnalyzerOptions options) : options_(options) {}

void Analyzer::Analyze(absl::string_view text, std::vector<std::string>* terms) const {
  std::string token;
  auto flush = [&] {
    if (!token.empty() && !(options_.remove_stopwords && Stopwords().contains(token))) {
      terms->push_back(token);
    }
    token.clear();
  };
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      token.push_back(static_cast<char>(std::tolower(u)));
    } else {
      flush();
    }
  }
  flush();
}

}  // namespace seealso
