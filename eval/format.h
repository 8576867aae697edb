// Evaluation results as text: a table for people, JSON for machines.
#ifndef SEEALSO_EVAL_FORMAT_H_
#define SEEALSO_EVAL_FORMAT_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "eval/metrics.h"
#include "eval/sweep.h"

namespace seealso::eval {

// The results of one system (the engine, a links file, the existing links).
struct NamedReport {
  std::string name;
  EvalReport report;
};

// One metric as shown everywhere: a stable JSON key, a label, how to read it
// from a report (nullopt = not available, e.g. relevance without qrels), and
// whether it is a count.
struct MetricRow {
  std::string key;
  std::string label;
  std::function<std::optional<double>(const EvalReport&)> value;
  bool count = false;
};

// Every metric of a report at cut-off k, relevance first, then hygiene.
std::vector<MetricRow> MetricRows(int k);

// The value as shown: counts as integers, other metrics with 4 decimals,
// "-" when missing.
std::string FormatValue(const MetricRow& row, const EvalReport& report);

// A fixed-width table: one row per metric, one column per system; rows no
// system has (relevance without qrels) are left out.
std::string FormatTable(const std::vector<NamedReport>& systems);

// {"k": .., "systems": [{"name": .., "metrics": {key: value|null, ..},
//  "curve": [{"k": 1, "ndcg": .., "precision": .., "recall": ..}, ..]}, ..]}
std::string FormatJson(const std::vector<NamedReport>& systems);

// One row per grid point, in the order given: the swept values, then nDCG,
// P, R, MRR, MAP at k and the lists holding a duplicate pair.
std::string FormatSweepTable(const std::vector<SweepResult>& results);

// {"k": .., "sweep": [{"point": {key: "value", ..}, "metrics": {..}}, ..]}
std::string FormatSweepJson(const std::vector<SweepResult>& results);

}  // namespace seealso::eval

#endif  // SEEALSO_EVAL_FORMAT_H_
