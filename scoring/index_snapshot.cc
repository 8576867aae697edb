#include "scoring/index_snapshot.h"

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace seealso {
namespace {

// The extra sections, in file order (docs/snapshot-format.md).
enum Extra : size_t {
  kSimilarityInfo, kPostingsStart, kPostingsDoc, kPostingsWeight, kBandNorm, kHeavyNorm,
  kHeavyOrderStart, kHeavyOrder, kNumExtra,
};
constexpr std::array<const char*, kNumExtra> kExtraNames = {
    "similarity_info", "postings_start", "postings_doc", "postings_weight", "band_norm",
    "heavy_norm", "heavy_order_start", "heavy_order"};

// The parameters the structures were made with: a build with other ones
// rebuilds them instead of misreading them.
std::string SimilarityInfo() {
  std::string out(16, '\0');
  const uint32_t bands = SimilarityIndex::kBands;
  const int64_t prefix = SimilarityIndex::kImpactPrefix;
  std::memcpy(out.data(), &bands, 4);
  std::memcpy(out.data() + 8, &prefix, 8);
  return out;
}

template <typename T>
absl::string_view Bytes(const FrozenArray<T>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size() * sizeof(T)};
}

// `section` as an array of T borrowed from the mapping; false if its size is
// not a whole number of elements.
template <typename T>
bool Borrow(absl::string_view section, const std::shared_ptr<const void>& file, FrozenArray<T>* out) {
  if (section.size() % sizeof(T) != 0) return false;
  *out = FrozenArray<T>::Borrow(
      absl::Span<const T>(reinterpret_cast<const T*>(section.data()), section.size() / sizeof(T)),
      file);
  return true;
}

}  // namespace

absl::Status WriteIndexSnapshot(const std::filesystem::path& path, const RelatedIndex& index) {
  std::vector<Article> articles(static_cast<size_t>(index.size()));
  for (int32_t doc = 0; doc < index.size(); ++doc) {
    const Article& a = index.article(doc);
    Article& m = articles[static_cast<size_t>(doc)];
    m.id = a.id;
    m.path = a.path;
    m.title = a.title;
    m.subject = a.subject;
    m.url = a.url;
  }
  const SimilarityIndex::Parts& p = index.similarity().parts();
  const std::string info = SimilarityInfo();
  const std::array<absl::string_view, kNumExtra> extra = {
      info,
      Bytes(p.postings_start),
      Bytes(p.postings_doc),
      Bytes(p.postings_weight),
      Bytes(p.band_norm),
      Bytes(p.heavy_norm),
      Bytes(p.heavy_order_start),
      Bytes(p.heavy_order)};
  return WriteSnapshot(path, index.embeddings(), articles, extra);
}

absl::StatusOr<std::unique_ptr<const RelatedIndex>> ReadIndexSnapshot(
    const std::filesystem::path& path, SnapshotInfo* info) {
  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path);
  if (!loaded.ok()) return loaded.status();
  if (info != nullptr) *info = loaded->info;
  auto corrupt = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(path.string(), ": corrupt: ", what));
  };
  std::optional<SimilarityIndex> similarity;
  const std::vector<absl::string_view>& extra = loaded->extra;
  if (!extra.empty() && extra[kSimilarityInfo] == SimilarityInfo()) {
    if (extra.size() != kNumExtra) {
      return corrupt(absl::StrCat(extra.size(), " extra sections, expected ", kNumExtra));
    }
    SimilarityIndex::Parts parts;
    const std::shared_ptr<const void>& file = loaded->file;
    const char* broken = nullptr;
    auto borrow = [&](Extra k, auto* out) {
      if (broken == nullptr && !Borrow(extra[k], file, out)) broken = kExtraNames[k];
    };
    borrow(kPostingsStart, &parts.postings_start);
    borrow(kPostingsDoc, &parts.postings_doc);
    borrow(kPostingsWeight, &parts.postings_weight);
    borrow(kBandNorm, &parts.band_norm);
    borrow(kHeavyNorm, &parts.heavy_norm);
    borrow(kHeavyOrderStart, &parts.heavy_order_start);
    borrow(kHeavyOrder, &parts.heavy_order);
    if (broken != nullptr) {
      return corrupt(absl::StrCat("section '", broken, "' is not a whole number of elements"));
    }
    absl::StatusOr<SimilarityIndex> built =
        SimilarityIndex::FromParts(loaded->embeddings.matrix(), std::move(parts));
    if (!built.ok()) return corrupt(built.status().message());
    similarity = *std::move(built);
  }
  absl::StatusOr<std::unique_ptr<const RelatedIndex>> index = RelatedIndex::FromEmbeddings(
      std::move(loaded->articles), std::move(loaded->embeddings), std::move(similarity));
  if (!index.ok()) return corrupt(index.status().message());
  return index;
}

}  // namespace seealso
