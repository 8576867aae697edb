// `seealso eval --report`: one self-contained HTML page (inline CSS and SVG,
// no script, no network) for editors to see what changed.
#ifndef SEEALSO_EVAL_HTML_REPORT_H_
#define SEEALSO_EVAL_HTML_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/format.h"
#include "eval/judgments.h"

namespace seealso::eval {

struct ReportPage {
  // The systems judged; the first is the one the page is about.
  std::vector<NamedReport> systems;
  // The first system's lists, for the score histogram and worst-served table.
  Ranking ranking;
  // Judgments, to mark relevant entries (may be empty).
  Qrels qrels;
  // id -> title, to show lists readably; unknown ids show as the bare id.
  std::map<int64_t, std::string> titles;
  // How many of the worst-served judged articles to list.
  int worst = 20;
};

// The page: metric table, per-k curve of nDCG/P/R (k = 1..K) for every system
// with judgments, histogram of the first system's scores, and its judged
// articles with the lowest nDCG@K next to their lists. Text is HTML-escaped;
// a Content-Security-Policy forbids every fetch.
std::string RenderHtmlReport(const ReportPage& page);

}  // namespace seealso::eval

#endif  // SEEALSO_EVAL_HTML_REPORT_H_
