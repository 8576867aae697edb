// Grids of option values to evaluate: `--sweep KEY=V1,V2,...` (repeatable).
// What a KEY means is not decided here: the caller applies each (key, value)
// to its options through a hook, so any configuration scheme can be swept.
#ifndef SEEALSO_EVAL_SWEEP_H_
#define SEEALSO_EVAL_SWEEP_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eval/metrics.h"

namespace seealso::eval {

struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

// One point of the grid: a value for every axis, in axis order.
using SweepPoint = std::vector<std::pair<std::string, std::string>>;

// Parses "KEY=V1,V2,..."; INVALID_ARGUMENT naming the spec if the key or a
// value is empty.
absl::StatusOr<SweepAxis> ParseSweepAxis(absl::string_view spec);

// Every combination of the axes' values, the last axis varying fastest; one
// empty point for no axes. A key given twice is INVALID_ARGUMENT.
absl::StatusOr<std::vector<SweepPoint>> SweepGrid(const std::vector<SweepAxis>& axes);

// One point of the grid and how the ranking it gives scores.
struct SweepResult {
  SweepPoint point;
  EvalReport report;
};

// Orders results best first: nDCG@k descending, then MRR descending; equal
// results keep their grid order.
void SortBestFirst(std::vector<SweepResult>* results);

}  // namespace seealso::eval

#endif  // SEEALSO_EVAL_SWEEP_H_
