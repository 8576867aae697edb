#include "eval/format.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace seealso::eval {
namespace {

using Getter = std::function<std::optional<double>(const EvalReport&)>;

Getter Relevance(double RelevanceMetrics::*field) {
  return [field](const EvalReport& r) -> std::optional<double> {
    if (!r.relevance) return std::nullopt;
    return (*r.relevance).*field;
  };
}

template <typename T>
Getter Hygiene(T HygieneMetrics::*field) {
  return [field](const EvalReport& r) -> std::optional<double> {
    return static_cast<double>(r.hygiene.*field);
  };
}

// JSON strings: escape quotes, backslashes and control characters.
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      absl::StrAppend(&out, "\\", std::string(1, c));
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string JsonNumber(std::optional<double> x) {
  if (!x || !std::isfinite(*x)) return "null";
  return absl::StrFormat("%.6g", *x);
}

std::string JsonMetrics(const std::vector<MetricRow>& rows, const EvalReport& report) {
  std::string out = "{";
  for (size_t j = 0; j < rows.size(); ++j) {
    absl::StrAppend(&out, j ? ", " : "", JsonString(rows[j].key), ": ",
                    JsonNumber(rows[j].value(report)));
  }
  return out + "}";
}

}  // namespace

std::vector<MetricRow> MetricRows(int k) {
  const std::string at = absl::StrCat("@", k);
  return {
      {"judged_articles", "judged articles",
       [](const EvalReport& r) -> std::optional<double> {
         if (!r.relevance) return std::nullopt;
         return r.relevance->articles;
       },
       true},
      {"ndcg", "nDCG" + at, Relevance(&RelevanceMetrics::ndcg)},
      {"precision", "P" + at, Relevance(&RelevanceMetrics::precision)},
      {"recall", "R" + at, Relevance(&RelevanceMetrics::recall)},
      {"mrr", "MRR" + at, Relevance(&RelevanceMetrics::mrr)},
      {"map", "MAP" + at, Relevance(&RelevanceMetrics::map)},
      {"links", "links", Hygiene(&HygieneMetrics::links), true},
      {"empty_lists", "empty lists", Hygiene(&HygieneMetrics::empty_lists), true},
      {"self_links", "self-links", Hygiene(&HygieneMetrics::self_links), true},
      {"repeated_ids", "repeated ids", Hygiene(&HygieneMetrics::repeated_ids), true},
      {"unknown_ids", "unknown (stale) ids", Hygiene(&HygieneMetrics::unknown_ids), true},
      {"dup_group_lists", "lists with a dup pair", Hygiene(&HygieneMetrics::dup_group_lists),
       true},
      {"cross_subject_share", "cross-subject share",
       Hygiene(&HygieneMetrics::cross_subject_share)},
      {"coverage", "catalogue coverage", Hygiene(&HygieneMetrics::coverage)},
      {"in_link_gini", "in-link Gini", Hygiene(&HygieneMetrics::in_link_gini)},
      {"mean_score", "mean score",
       [](const EvalReport& r) { return r.hygiene.mean_score; }},
  };
}

std::string FormatValue(const MetricRow& row, const EvalReport& report) {
  const std::optional<double> x = row.value(report);
  if (!x) return "-";
  return row.count ? absl::StrFormat("%.0f", *x) : absl::StrFormat("%.4f", *x);
}

std::string FormatTable(const std::vector<NamedReport>& systems) {
  if (systems.empty()) return "";
  const std::vector<MetricRow> rows = MetricRows(systems.front().report.k);
  size_t label_width = 6;
  for (const MetricRow& row : rows) label_width = std::max(label_width, row.label.size());
  std::vector<size_t> width;
  for (const NamedReport& s : systems) width.push_back(std::max<size_t>(10, s.name.size()));
  std::string out = absl::StrFormat("%-*s", label_width, "metric");
  for (size_t i = 0; i < systems.size(); ++i) {
    absl::StrAppendFormat(&out, "  %*s", width[i], systems[i].name);
  }
  out += "\n";
  for (const MetricRow& row : rows) {
    // Relevance rows without qrels would only be dashes.
    if (std::none_of(systems.begin(), systems.end(),
                     [&](const NamedReport& s) { return row.value(s.report).has_value(); })) {
      continue;
    }
    absl::StrAppendFormat(&out, "%-*s", label_width, row.label);
    for (size_t i = 0; i < systems.size(); ++i) {
      absl::StrAppendFormat(&out, "  %*s", width[i], FormatValue(row, systems[i].report));
    }
    out += "\n";
  }
  return out;
}

std::string FormatJson(const std::vector<NamedReport>& systems) {
  const int k = systems.empty() ? 0 : systems.front().report.k;
  const std::vector<MetricRow> rows = MetricRows(k);
  std::string out = absl::StrCat("{\"k\": ", k, ", \"systems\": [");
  for (size_t i = 0; i < systems.size(); ++i) {
    const EvalReport& report = systems[i].report;
    absl::StrAppend(&out, i ? ", " : "", "{\"name\": ", JsonString(systems[i].name),
                    ", \"metrics\": ", JsonMetrics(rows, report), ", \"curve\": [");
    for (size_t c = 0; c < report.curve.size(); ++c) {
      const RelevanceMetrics& m = report.curve[c];
      absl::StrAppend(&out, c ? ", " : "", "{\"k\": ", c + 1, ", \"ndcg\": ", JsonNumber(m.ndcg),
                      ", \"precision\": ", JsonNumber(m.precision),
                      ", \"recall\": ", JsonNumber(m.recall), "}");
    }
    out += "]}";
  }
  return out + "]}\n";
}

std::string FormatSweepTable(const std::vector<SweepResult>& results) {
  if (results.empty()) return "";
  static const char* kShown[] = {"ndcg", "precision", "recall", "mrr", "map", "dup_group_lists"};
  std::vector<MetricRow> shown;
  for (MetricRow& row : MetricRows(results.front().report.k)) {
    if (std::find(std::begin(kShown), std::end(kShown), row.key) != std::end(kShown)) {
      shown.push_back(std::move(row));
    }
  }
  std::vector<std::vector<std::string>> cells(results.size() + 1);
  for (const auto& [key, value] : results.front().point) cells[0].push_back(key);
  for (const MetricRow& row : shown) cells[0].push_back(row.label);
  for (size_t i = 0; i < results.size(); ++i) {
    for (const auto& [key, value] : results[i].point) cells[i + 1].push_back(value);
    for (const MetricRow& row : shown) cells[i + 1].push_back(FormatValue(row, results[i].report));
  }
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto& line : cells) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  std::string out;
  for (const auto& line : cells) {
    for (size_t c = 0; c < line.size(); ++c) {
      absl::StrAppendFormat(&out, "%s%*s", c ? "  " : "", width[c], line[c]);
    }
    out += "\n";
  }
  return out;
}

std::string FormatSweepJson(const std::vector<SweepResult>& results) {
  const int k = results.empty() ? 0 : results.front().report.k;
  const std::vector<MetricRow> rows = MetricRows(k);
  std::string out = absl::StrCat("{\"k\": ", k, ", \"sweep\": [");
  for (size_t i = 0; i < results.size(); ++i) {
    out += i ? ", {\"point\": {" : "{\"point\": {";
    for (size_t j = 0; j < results[i].point.size(); ++j) {
      absl::StrAppend(&out, j ? ", " : "", JsonString(results[i].point[j].first), ": ",
                      JsonString(results[i].point[j].second));
    }
    absl::StrAppend(&out, "}, \"metrics\": ", JsonMetrics(rows, results[i].report), "}");
  }
  return out + "]}\n";
}

}  // namespace seealso::eval
