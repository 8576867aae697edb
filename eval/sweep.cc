#include "eval/sweep.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace seealso::eval {

absl::StatusOr<SweepAxis> ParseSweepAxis(absl::string_view spec) {
  std::pair<absl::string_view, absl::string_view> kv =
      absl::StrSplit(spec, absl::MaxSplits('=', 1));
  SweepAxis axis{.key = std::string(kv.first), .values = absl::StrSplit(kv.second, ',')};
  bool empty_value = false;
  for (const std::string& v : axis.values) empty_value |= v.empty();
  if (axis.key.empty() || empty_value || spec.find('=') == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--sweep '", spec, "': expected KEY=V1,V2,... with no empty part"));
  }
  return axis;
}

absl::StatusOr<std::vector<SweepPoint>> SweepGrid(const std::vector<SweepAxis>& axes) {
  absl::flat_hash_set<std::string> keys;
  std::vector<SweepPoint> grid = {{}};
  for (const SweepAxis& axis : axes) {
    if (!keys.insert(axis.key).second) {
      return absl::InvalidArgumentError(absl::StrCat("--sweep: key '", axis.key, "' given twice"));
    }
    std::vector<SweepPoint> next;
    for (const SweepPoint& point : grid) {
      for (const std::string& value : axis.values) {
        next.push_back(point);
        next.back().emplace_back(axis.key, value);
      }
    }
    grid = std::move(next);
  }
  return grid;
}

void SortBestFirst(std::vector<SweepResult>* results) {
  auto key = [](const SweepResult& r) {
    return r.report.relevance ? std::make_pair(r.report.relevance->ndcg, r.report.relevance->mrr)
                              : std::make_pair(0.0, 0.0);
  };
  std::stable_sort(results->begin(), results->end(),
                   [&](const SweepResult& a, const SweepResult& b) { return key(a) > key(b); });
}

}  // namespace seealso::eval
