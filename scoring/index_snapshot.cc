#include "scoring/index_snapshot.h"

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace seealso {
namespace {

// The extra sections, in file order (docs/snapshot-format.md); the lists'
// four are present only in snapshots written with precomputed lists.
enum Extra : size_t {
  kSimilarityInfo, kPostingsStart, kPostingsDoc, kPostingsWeight, kBandNorm, kHeavyNorm,
  kHeavyOrderStart, kHeavyOrder, kNumExtra,
  kListsOptions = kNumExtra, kListStart, kListDoc, kListScore, kNumExtraWithLists,
};
constexpr std::array<const char*, kNumExtraWithLists> kExtraNames = {
    "similarity_info", "postings_start", "postings_doc", "postings_weight", "band_norm",
    "heavy_norm", "heavy_order_start", "heavy_order", "lists_options", "list_start",
    "list_doc", "list_score"};

// RankOptions as "key=value" lines (strings C-escaped, one line per list
// element, floats with 9 significant digits, which round-trip). Every field
// must be here: lists are served only to requests with equal options.
std::string RankOptionsText(const RankOptions& o) {
  std::string out = absl::StrCat("k=", o.k, "\n", "min_score=", absl::StrFormat("%.9g", o.min_score), "\n");
  for (const std::string& s : o.include_subjects) absl::StrAppend(&out, "include_subject=", absl::CEscape(s), "\n");
  for (const std::string& s : o.exclude_subjects) absl::StrAppend(&out, "exclude_subject=", absl::CEscape(s), "\n");
  for (int64_t id : o.exclude_ids) absl::StrAppend(&out, "exclude_id=", id, "\n");
  absl::StrAppend(&out, "same_subject_boost=", absl::StrFormat("%.9g", o.same_subject_boost), "\n",
                  "near_duplicate_threshold=", absl::StrFormat("%.9g", o.near_duplicate_threshold), "\n",
                  "keep_near_copies_of_query=", o.keep_near_copies_of_query ? 1 : 0, "\n",
                  "mmr_lambda=", absl::StrFormat("%.9g", o.mmr_lambda), "\n",
                  "mention_boost=", absl::StrFormat("%.9g", o.mention_boost), "\n",
                  "pruning.query_terms=", o.pruning.query_terms, "\n",
                  "pruning.postings_per_term=", o.pruning.postings_per_term, "\n",
                  "pruning.rescore=", o.pruning.rescore, "\n",
                  "pruning.exact_below_postings=", o.pruning.exact_below_postings, "\n",
                  "explain_terms=", o.explain_terms, "\n");
  return out;
}

absl::StatusOr<RankOptions> ParseRankOptionsText(absl::string_view text) {
  RankOptions o;
  o.include_subjects.clear();
  o.exclude_subjects.clear();
  o.exclude_ids.clear();
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t eq = line.find('=');
    const absl::string_view key = line.substr(0, eq);
    const absl::string_view value = eq == absl::string_view::npos ? "" : line.substr(eq + 1);
    std::string unescaped;
    int keep = 0;
    bool ok = eq != absl::string_view::npos;
    if (!ok) {
    } else if (key == "k") {
      ok = absl::SimpleAtoi(value, &o.k);
    } else if (key == "min_score") {
      ok = absl::SimpleAtof(value, &o.min_score);
    } else if (key == "include_subject" || key == "exclude_subject") {
      ok = absl::CUnescape(value, &unescaped);
      (key == "include_subject" ? o.include_subjects : o.exclude_subjects).push_back(unescaped);
    } else if (key == "exclude_id") {
      ok = absl::SimpleAtoi(value, &o.exclude_ids.emplace_back());
    } else if (key == "same_subject_boost") {
      ok = absl::SimpleAtof(value, &o.same_subject_boost);
    } else if (key == "near_duplicate_threshold") {
      ok = absl::SimpleAtof(value, &o.near_duplicate_threshold);
    } else if (key == "keep_near_copies_of_query") {
      ok = absl::SimpleAtoi(value, &keep) && (keep == 0 || keep == 1);
      o.keep_near_copies_of_query = keep == 1;
    } else if (key == "mmr_lambda") {
      ok = absl::SimpleAtof(value, &o.mmr_lambda);
    } else if (key == "mention_boost") {
      ok = absl::SimpleAtof(value, &o.mention_boost);
    } else if (key == "pruning.query_terms") {
      ok = absl::SimpleAtoi(value, &o.pruning.query_terms);
    } else if (key == "pruning.postings_per_term") {
      ok = absl::SimpleAtoi(value, &o.pruning.postings_per_term);
    } else if (key == "pruning.rescore") {
      ok = absl::SimpleAtoi(value, &o.pruning.rescore);
    } else if (key == "pruning.exact_below_postings") {
      ok = absl::SimpleAtoi(value, &o.pruning.exact_below_postings);
    } else if (key == "explain_terms") {
      ok = absl::SimpleAtoi(value, &o.explain_terms);
    } else {
      ok = false;
    }
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("bad options line '", line, "'"));
  }
  return o;
}

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

}  // namespace

absl::Status WriteIndexSnapshot(const std::filesystem::path& path, const RelatedIndex& index,
                                const PrecomputedLists* lists) {
  // A batch index's postings may be cut (SimilarityIndex::cut): not the
  // index of its matrix, so never what a snapshot may hold.
  if (index.similarity().cut()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), ": the search structures were cut for a batch run"));
  }
  const SimilarityIndex::Parts& p = index.similarity().parts();
  const std::string info = SimilarityInfo();
  std::vector<absl::string_view> extra = {
      info,
      p.postings_start.bytes(),
      p.postings_doc.bytes(),
      p.postings_weight.bytes(),
      p.band_norm.bytes(),
      p.heavy_norm.bytes(),
      p.heavy_order_start.bytes(),
      p.heavy_order.bytes()};
  std::string lists_options;
  if (lists == nullptr && index.precomputed()) lists = &*index.precomputed();
  if (lists != nullptr) {
    lists_options = RankOptionsText(lists->options);
    extra.insert(extra.end(), {lists_options, lists->start.bytes(), lists->doc.bytes(),
                               lists->score.bytes()});
  }
  return WriteSnapshot(path, index.embeddings(), index.articles(), extra, index.mentions());
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
  std::optional<PrecomputedLists> lists;
  const std::vector<absl::string_view>& extra = loaded->extra;
  if (!extra.empty() && extra[kSimilarityInfo] == SimilarityInfo()) {
    if (extra.size() != kNumExtra && extra.size() != kNumExtraWithLists) {
      return corrupt(absl::StrCat(extra.size(), " extra sections, expected ", kNumExtra, " or ",
                                  kNumExtraWithLists));
    }
    SimilarityIndex::Parts parts;
    const std::shared_ptr<const void>& file = loaded->file;
    const char* broken = nullptr;
    auto borrow = [&](Extra k, auto* out) {
      if (broken != nullptr) return;
      auto borrowed = std::decay_t<decltype(*out)>::BorrowBytes(extra[k], file);
      if (borrowed) {
        *out = *std::move(borrowed);
      } else {
        broken = kExtraNames[k];
      }
    };
    borrow(kPostingsStart, &parts.postings_start);
    borrow(kPostingsDoc, &parts.postings_doc);
    borrow(kPostingsWeight, &parts.postings_weight);
    borrow(kBandNorm, &parts.band_norm);
    borrow(kHeavyNorm, &parts.heavy_norm);
    borrow(kHeavyOrderStart, &parts.heavy_order_start);
    borrow(kHeavyOrder, &parts.heavy_order);
    if (extra.size() == kNumExtraWithLists) {
      absl::StatusOr<RankOptions> options = ParseRankOptionsText(extra[kListsOptions]);
      if (!options.ok()) return corrupt(absl::StrCat("lists_options: ", options.status().message()));
      lists.emplace();
      lists->options = *std::move(options);
      borrow(kListStart, &lists->start);
      borrow(kListDoc, &lists->doc);
      borrow(kListScore, &lists->score);
    }
    if (broken != nullptr) {
      return corrupt(absl::StrCat("section '", broken, "' is not a whole number of elements"));
    }
    absl::StatusOr<SimilarityIndex> built =
        SimilarityIndex::FromParts(loaded->embeddings.matrix(), std::move(parts));
    if (!built.ok()) return corrupt(built.status().message());
    similarity = *std::move(built);
  }
  absl::StatusOr<std::unique_ptr<const RelatedIndex>> index =
      RelatedIndex::FromEmbeddings(std::move(loaded->articles), std::move(loaded->embeddings),
                                   std::move(similarity), std::move(lists),
                                   std::move(loaded->mentions));
  if (!index.ok()) return corrupt(index.status().message());
  return index;
}

}  // namespace seealso
