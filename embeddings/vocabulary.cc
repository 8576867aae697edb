#include "embeddings/vocabulary.h"

#include "absl/strings/str_cat.h"

namespace seealso {

absl::StatusOr<Vocabulary> Vocabulary::FromSorted(const std::vector<std::string>& terms) {
  std::vector<uint64_t> offsets;
  offsets.reserve(terms.size() + 1);
  offsets.push_back(0);
  size_t bytes = 0;
  for (const std::string& t : terms) bytes += t.size();
  std::string blob;
  blob.reserve(bytes);
  for (const std::string& t : terms) {
    blob += t;
    offsets.push_back(blob.size());
  }
  return FromParts(std::move(offsets), std::move(blob));
}

absl::StatusOr<Vocabulary> Vocabulary::FromParts(std::vector<uint64_t> offsets, std::string blob) {
  return FromParts(FrozenArray<uint64_t>(std::move(offsets)),
                   FrozenArray<char>::Own(std::move(blob)));
}

absl::StatusOr<Vocabulary> Vocabulary::FromParts(FrozenArray<uint64_t> offsets,
                                                 FrozenArray<char> blob) {
  // Offsets first: with them monotone inside the blob, every term is readable.
  absl::StatusOr<StringColumn> terms =
      StringColumn::FromParts(std::move(offsets), std::move(blob), "term");
  if (!terms.ok()) return terms.status();
  return FromColumn(*std::move(terms));
}

absl::StatusOr<Vocabulary> Vocabulary::FromColumn(StringColumn terms) {
  Vocabulary v;
  v.terms_ = std::move(terms);
  for (size_t j = 1; j < v.size(); ++j) {
    if (!(v[j - 1] < v[j])) {
      return absl::InvalidArgumentError(absl::StrCat("terms not strictly increasing at term ", j));
    }
  }
  return v;
}

int32_t Vocabulary::Find(absl::string_view term) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if ((*this)[mid] < term) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < size() && (*this)[lo] == term ? static_cast<int32_t>(lo) : -1;
}

std::vector<std::string> Vocabulary::ToStrings() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (size_t j = 0; j < size(); ++j) out.emplace_back((*this)[j]);
  return out;
}

}  // namespace seealso
