// The terms of a TF-IDF model: sorted, in one block of memory.
#ifndef SEEALSO_EMBEDDINGS_VOCABULARY_H_
#define SEEALSO_EMBEDDINGS_VOCABULARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/frozen_array.h"
#include "common/string_column.h"

namespace seealso {

// Term j is the j-th string in lexicographic (byte) order. The terms live in
// one string with an offset table, the layout of the snapshot file's terms
// section: a model with millions of terms loads with two reads and owns no
// per-term heap object (or, mapped from a snapshot, no copy at all). Column
// lookup is a binary search. Copies share the terms.
class Vocabulary {
 public:
  Vocabulary() = default;

  // From terms that are strictly increasing; INVALID_ARGUMENT naming the
  // first offending position otherwise.
  static absl::StatusOr<Vocabulary> FromSorted(const std::vector<std::string>& terms);
  // From the parts offsets() and blob() return: offsets[0] == 0, offsets
  // non-decreasing, offsets.back() == blob.size(), terms strictly increasing.
  // INVALID_ARGUMENT saying what is wrong otherwise.
  static absl::StatusOr<Vocabulary> FromParts(std::vector<uint64_t> offsets, std::string blob);
  // The same over arrays that may be borrowed (a mapped snapshot's sections).
  static absl::StatusOr<Vocabulary> FromParts(FrozenArray<uint64_t> offsets,
                                              FrozenArray<char> blob);
  // From a column of terms; INVALID_ARGUMENT unless strictly increasing.
  static absl::StatusOr<Vocabulary> FromColumn(StringColumn terms);

  size_t size() const { return terms_.size(); }
  bool empty() const { return terms_.empty(); }
  // The term of column j, for j < size(); valid while this object lives.
  absl::string_view operator[](size_t j) const { return terms_[j]; }
  // The column of `term`, or -1 if it is not in the vocabulary.
  int32_t Find(absl::string_view term) const;

  // offsets().size() == size() + 1; term j is blob()[offsets()[j], offsets()[j + 1]).
  absl::Span<const uint64_t> offsets() const { return terms_.offsets().span(); }
  absl::string_view blob() const { return terms_.bytes().bytes(); }
  // The terms as one column (the snapshot's string-table layout).
  const StringColumn& column() const { return terms_; }

  // Every term as its own string (for tests and small vocabularies).
  std::vector<std::string> ToStrings() const;

 private:
  StringColumn terms_;
};

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_VOCABULARY_H_
