#include "common/string_column.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace seealso {

absl::StatusOr<StringColumn> StringColumn::FromParts(FrozenArray<uint64_t> offsets,
                                                     FrozenArray<char> bytes,
                                                     absl::string_view noun) {
  if (offsets.empty() || offsets[0] != 0 || offsets.back() != bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(noun, " offsets do not span the ", noun, " bytes"));
  }
  for (size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      return absl::InvalidArgumentError(
          absl::StrCat(noun, " offsets decrease at ", noun, " ", i - 1));
    }
  }
  StringColumn c;
  c.offsets_ = std::move(offsets);
  c.bytes_ = std::move(bytes);
  return c;
}

StringColumn StringColumnBuilder::Finish() {
  bytes_.shrink_to_fit();
  offsets_.shrink_to_fit();
  // Spans the bytes by construction, so this cannot fail.
  StringColumn c = *StringColumn::FromParts(FrozenArray<uint64_t>(std::move(offsets_)),
                                            FrozenArray<char>::Own(std::move(bytes_)));
  offsets_ = {0};
  bytes_.clear();
  return c;
}

}  // namespace seealso
