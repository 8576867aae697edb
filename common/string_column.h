// Many strings in one block of bytes, with an offset table.
#ifndef SEEALSO_COMMON_STRING_COLUMN_H_
#define SEEALSO_COMMON_STRING_COLUMN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/frozen_array.h"

namespace seealso {

// String i is bytes()[offsets()[i], offsets()[i + 1]). A million strings are
// two allocations (or, borrowed from a mapped file, none) instead of a heap
// block each: small blocks that outlive the large ones freed around them keep
// glibc from returning the freed pages. The layout is the snapshot file's
// string tables'. Copies share the strings.
class StringColumn {
 public:
  StringColumn() : offsets_(std::vector<uint64_t>{0}) {}

  // From parts: INVALID_ARGUMENT, saying what is wrong (calling a string
  // `noun`), unless offsets start at 0, never decrease and end at
  // bytes.size(). The arrays may be borrowed.
  static absl::StatusOr<StringColumn> FromParts(FrozenArray<uint64_t> offsets,
                                                FrozenArray<char> bytes,
                                                absl::string_view noun = "string");

  size_t size() const { return offsets_.size() - 1; }
  bool empty() const { return size() == 0; }
  // String i, for i < size(); valid while this column (or a copy) lives.
  absl::string_view operator[](size_t i) const {
    return absl::string_view(bytes_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  const FrozenArray<uint64_t>& offsets() const { return offsets_; }
  const FrozenArray<char>& bytes() const { return bytes_; }

 private:
  FrozenArray<uint64_t> offsets_;
  FrozenArray<char> bytes_;
};

// Appends strings one by one, then freezes them into a StringColumn.
class StringColumnBuilder {
 public:
  // Room for `count` strings of `bytes` bytes in all (a hint).
  void Reserve(size_t count, size_t bytes) {
    offsets_.reserve(count + 1);
    bytes_.reserve(bytes);
  }
  void Add(absl::string_view s) {
    bytes_.append(s.data(), s.size());
    offsets_.push_back(bytes_.size());
  }
  // The strings added, in order; the builder is left empty.
  StringColumn Finish();

 private:
  std::vector<uint64_t> offsets_ = {0};
  std::string bytes_;
};

}  // namespace seealso

#endif  // SEEALSO_COMMON_STRING_COLUMN_H_
