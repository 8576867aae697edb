// Title mentions: which articles name another article by its full title in
// their text. On Q&A sites a link to another question usually reads as that
// question's title ("see How to ask a good question"), so a mention is direct
// evidence that two articles are related, which their word overlap alone
// often misses (docs/benchmarks.md, "Title mentions").
#ifndef SEEALSO_EMBEDDINGS_MENTIONS_H_
#define SEEALSO_EMBEDDINGS_MENTIONS_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/frozen_array.h"
#include "common/string_column.h"
#include "embeddings/article.h"

namespace seealso {

struct MentionOptions {
  // Titles of fewer words are not looked for (0 = no mentions at all): a
  // two-word title such as "Bounty system" reads as an ordinary phrase.
  int min_title_words = 3;
  // A title found in more than this fraction of the articles (and in more
  // than 5, so that a small site keeps its few popular titles) is a common
  // phrase of the site, not a reference ("Computer Science Stack
  // Exchange"), and counts for none of them.
  double max_df = 0.01;

  friend bool operator==(const MentionOptions&, const MentionOptions&) = default;
};

// Finds whole titles in text. Words are runs of ASCII letters and digits
// (case-folded) and of non-ASCII bytes; everything else, and the literal
// two-character "\n" of exported text, separates them. A title matches where
// its words appear consecutively, so "How to ask a good question?" is found
// in "read how to ask a good question first".
class TitleMatcher {
 public:
  TitleMatcher() = default;
  // Looks for titles[d] for every d with at least min_title_words words
  // (and at most 64) except those in `ignored` (sorted).
  TitleMatcher(const StringColumn& titles, int min_title_words,
               absl::Span<const int32_t> ignored = {});

  // The documents whose titles occur in any of `texts` (each searched on its
  // own: a title does not run from one into the next), sorted, each once.
  std::vector<int32_t> Find(absl::Span<const absl::string_view> texts) const;
  std::vector<int32_t> Find(absl::string_view text) const {
    return Find(absl::Span<const absl::string_view>(&text, 1));
  }
  // The same into *docs (replaced), with `words` as scratch for reuse.
  void FindSorted(absl::Span<const absl::string_view> texts, std::vector<uint64_t>* words,
                  std::vector<int32_t>* docs) const;

  bool empty() const { return by_sequence_.empty(); }

 private:
  // Appends to *docs every document whose title occurs in `text` (repeats
  // possible); `words` is scratch.
  void FindInto(absl::string_view text, std::vector<uint64_t>* words,
                std::vector<int32_t>* docs) const;

  int min_words_ = 0;
  // Titles by the hash of their whole word sequence.
  absl::flat_hash_map<uint64_t, std::vector<int32_t>> by_sequence_;
  // For the hash of a title's first min_words_ words, the word counts of the
  // titles starting so (bit L-1 for L words).
  absl::flat_hash_map<uint64_t, uint64_t> lengths_by_prefix_;
  // A bit per prefix hash bucket (the hash's top bits, 64 - filter_shift_ of
  // them): most text positions start no title and are turned away here,
  // without a hash-table probe.
  std::vector<uint64_t> prefix_filter_;
  int filter_shift_ = 64;
};

// Which articles are linked by a title mention, either way round: a
// symmetric graph over the documents of one corpus (document i is row i of
// its model). Copies share the arrays.
class Mentions {
 public:
  // No mentions.
  Mentions() = default;

  // The mentions among `articles` (titles found in the question or answer of
  // another article), on `threads` threads (0 = all cores).
  static Mentions Find(const std::vector<Article>& articles, const MentionOptions& options,
                       int threads = 0);

  // From parts (e.g. a mapped snapshot's sections): documents linked to d are
  // doc[start[d], start[d + 1]), sorted and distinct, never d; `ignored` lists
  // the documents whose titles were too common to count. INVALID_ARGUMENT,
  // saying what is wrong, unless so for `docs` documents (or all three empty).
  static absl::StatusOr<Mentions> FromParts(int32_t docs, FrozenArray<int64_t> start,
                                            FrozenArray<int32_t> doc, FrozenArray<int32_t> ignored);

  // The documents linked to `d` by a mention, ascending; empty without a graph.
  absl::Span<const int32_t> of(int32_t d) const {
    if (start_.empty()) return {};
    const auto i = static_cast<size_t>(d);
    return doc_.span().subspan(static_cast<size_t>(start_[i]),
                               static_cast<size_t>(start_[i + 1] - start_[i]));
  }
  // Number of linked pairs (each counted once).
  int64_t pairs() const { return static_cast<int64_t>(doc_.size() / 2); }

  const FrozenArray<int64_t>& start() const { return start_; }
  const FrozenArray<int32_t>& doc() const { return doc_; }
  // Documents whose titles were found too often to count (sorted).
  const FrozenArray<int32_t>& ignored() const { return ignored_; }

 private:
  FrozenArray<int64_t> start_;
  FrozenArray<int32_t> doc_;
  FrozenArray<int32_t> ignored_;
};

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_MENTIONS_H_
