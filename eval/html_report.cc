#include "eval/html_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace seealso::eval {
namespace {

std::string Escape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr int kWidth = 520, kHeight = 260, kLeft = 50, kBottom = 30, kTop = 12, kRight = 12;
constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c"};

double X(double fraction) { return kLeft + fraction * (kWidth - kLeft - kRight); }
double Y(double fraction) { return kHeight - kBottom - fraction * (kHeight - kBottom - kTop); }

// Axes with y ticks at 0, 0.25, .., 1 of `y_max` (whole numbers if `counts`)
// and the given x tick labels.
std::string Axes(double y_max, bool counts,
                 const std::vector<std::pair<double, std::string>>& x_ticks) {
  std::string svg = absl::StrFormat(
      "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>"
      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>",
      kLeft, Y(0), kWidth - kRight, Y(0), kLeft, kTop, kLeft, Y(0));
  for (int i = 0; i <= 4; ++i) {
    const double y = Y(i / 4.0);
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                          "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                          kLeft, y, kWidth - kRight, y, kLeft - 4, y + 4,
                          counts ? absl::StrFormat("%.0f", y_max * i / 4)
                                 : absl::StrFormat("%.2f", y_max * i / 4));
  }
  for (const auto& [x, label] : x_ticks) {
    absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                          X(x), kHeight - kBottom + 16, Escape(label));
  }
  return svg;
}

std::string Svg(const std::string& title, const std::string& body) {
  return absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%s</svg>",
      kWidth, kHeight, kWidth, kHeight, Escape(title), body);
}

std::string CurveChart(const std::vector<NamedReport>& systems, int k) {
  std::vector<std::pair<double, std::string>> ticks;
  for (int i = 1; i <= k; ++i) {
    ticks.push_back({k == 1 ? 0.5 : (i - 1) / double(k - 1), absl::StrCat(i)});
  }
  std::string body = Axes(1.0, false, ticks);
  std::string legend;
  const char* dashes[] = {"", "6 4", "2 3"};
  for (size_t s = 0; s < systems.size(); ++s) {
    const auto& curve = systems[s].report.curve;
    if (curve.empty()) continue;
    const double RelevanceMetrics::*fields[] = {&RelevanceMetrics::ndcg,
                                                &RelevanceMetrics::precision,
                                                &RelevanceMetrics::recall};
    const char* names[] = {"nDCG", "P", "R"};
    for (int m = 0; m < 3; ++m) {
      std::string points;
      for (size_t i = 0; i < curve.size(); ++i) {
        const double x = curve.size() == 1 ? 0.5 : i / double(curve.size() - 1);
        absl::StrAppendFormat(&points, "%.1f,%.1f ", X(x), Y(curve[i].*fields[m]));
      }
      absl::StrAppendFormat(&body,
                            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                            "stroke-dasharray=\"%s\" points=\"%s\"><title>%s %s</title>"
                            "</polyline>",
                            kColors[m], dashes[s % 3], points, names[m],
                            Escape(systems[s].name));
      absl::StrAppendFormat(&legend, "<li><span style=\"color:%s\">%s</span> %s%s</li>",
                            kColors[m], s == 0 ? "&#9473;&#9473;" : "&#9476;&#9476;", names[m],
                            systems.size() > 1 ? " — " + Escape(systems[s].name) : "");
    }
  }
  return Svg("nDCG, P and R at k = 1.." + std::to_string(k), body) + "<ul class=\"legend\">" +
         legend + "</ul>";
}

std::string ScoreHistogram(const Ranking& ranking, int k) {
  constexpr int kBins = 20;
  std::vector<int64_t> bins(kBins, 0);
  int64_t scored = 0;
  for (const auto& [id, list] : ranking) {
    for (size_t i = 0; i < list.size() && i < static_cast<size_t>(k); ++i) {
      if (std::isnan(list[i].score)) continue;
      const int bin = std::clamp(static_cast<int>(list[i].score * kBins), 0, kBins - 1);
      ++bins[bin];
      ++scored;
    }
  }
  if (scored == 0) return "<p>No scores to show (the lists carry none).</p>";
  const int64_t top = *std::max_element(bins.begin(), bins.end());
  std::string body = Axes(static_cast<double>(top), true, {{0, "0"}, {0.5, "0.5"}, {1, "1"}});
  const double bar = (X(1) - X(0)) / kBins;
  for (int b = 0; b < kBins; ++b) {
    const double h = Y(0) - Y(static_cast<double>(bins[b]) / static_cast<double>(top));
    absl::StrAppendFormat(&body,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#1f77b4\"><title>%.2f–%.2f: %d links</title></rect>",
                          X(double(b) / kBins) + 1, Y(0) - h, bar - 2, h, double(b) / kBins,
                          double(b + 1) / kBins, bins[b]);
  }
  return Svg("histogram of scores", body) +
         absl::StrFormat("<p>%d scored links in the top %d of every list.</p>", scored, k);
}

std::string Title(const ReportPage& page, int64_t id) {
  auto it = page.titles.find(id);
  return it == page.titles.end() ? absl::StrCat(id, " (not in the corpus)")
                                 : absl::StrCat(id, " ", it->second);
}

std::string WorstServed(const ReportPage& page) {
  const EvalReport& report = page.systems.front().report;
  if (report.per_article.empty()) return "<p>No judgments given (--qrels): nothing to rank.</p>";
  std::vector<ArticleResult> worst = report.per_article;
  std::stable_sort(worst.begin(), worst.end(),
                   [](const ArticleResult& a, const ArticleResult& b) { return a.ndcg < b.ndcg; });
  if (worst.size() > static_cast<size_t>(page.worst)) worst.resize(page.worst);
  std::string html = absl::StrFormat(
      "<table class=\"worst\"><tr><th>article</th><th>nDCG@%d</th><th>its list (&#10003; = "
      "judged relevant, grade)</th><th>judged relevant, missing</th></tr>",
      report.k);
  static const Judgments kNone;
  for (const ArticleResult& r : worst) {
    auto q = page.qrels.find(r.id);
    const Judgments& judged = q == page.qrels.end() ? kNone : q->second;
    std::string list, missing;
    std::vector<int64_t> shown;
    if (auto it = page.ranking.find(r.id); it != page.ranking.end()) {
      for (size_t i = 0; i < it->second.size() && i < static_cast<size_t>(report.k); ++i) {
        const int64_t id = it->second[i].id;
        shown.push_back(id);
        auto g = judged.find(id);
        const bool relevant = g != judged.end() && g->second > 0;
        absl::StrAppend(&list, "<li", relevant ? " class=\"rel\"" : "", ">",
                        Escape(Title(page, id)),
                        relevant ? absl::StrCat(" &#10003;", g->second) : "", "</li>");
      }
    }
    for (const auto& [id, grade] : judged) {
      if (grade > 0 && std::find(shown.begin(), shown.end(), id) == shown.end()) {
        absl::StrAppend(&missing, "<li>", Escape(Title(page, id)), " (", grade, ")</li>");
      }
    }
    absl::StrAppendFormat(&html, "<tr><td>%s</td><td>%.4f</td><td><ol>%s</ol></td>"
                                 "<td><ul>%s</ul></td></tr>",
                          Escape(Title(page, r.id)), r.ndcg, list, missing);
  }
  return html + "</table>";
}

}  // namespace

std::string RenderHtmlReport(const ReportPage& page) {
  if (page.systems.empty()) return "";
  const int k = page.systems.front().report.k;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">"
      "<title>seealso eval</title><style>"
      "body{font:14px/1.4 sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top}"
      "td.n{text-align:right;font-variant-numeric:tabular-nums}"
      "svg text{font:11px sans-serif;fill:#333}.legend{list-style:none;padding:0}"
      ".legend li{display:inline;margin-right:1em}li.rel{font-weight:bold}"
      "table.worst ol,table.worst ul{margin:0;padding-left:1.4em}"
      "</style></head><body>\n<h1>seealso eval</h1>\n";
  absl::StrAppend(&html, "<h2>Metrics at k = ", k, "</h2><table><tr><th>metric</th>");
  for (const NamedReport& s : page.systems) absl::StrAppend(&html, "<th>", Escape(s.name), "</th>");
  html += "</tr>";
  for (const MetricRow& row : MetricRows(k)) {
    absl::StrAppend(&html, "<tr><td>", Escape(row.label), "</td>");
    for (const NamedReport& s : page.systems) {
      absl::StrAppend(&html, "<td class=\"n\">", FormatValue(row, s.report), "</td>");
    }
    html += "</tr>";
  }
  html += "</table>\n<h2>Relevance by cut-off</h2>\n";
  html += page.systems.front().report.curve.empty()
              ? "<p>No judgments given (--qrels).</p>"
              : CurveChart(page.systems, k);
  absl::StrAppend(&html, "\n<h2>Scores of ", Escape(page.systems.front().name), "</h2>\n",
                  ScoreHistogram(page.ranking, k));
  absl::StrAppend(&html, "\n<h2>Worst-served articles (", Escape(page.systems.front().name),
                  ")</h2>\n", WorstServed(page), "\n</body></html>\n");
  return html;
}

}  // namespace seealso::eval
