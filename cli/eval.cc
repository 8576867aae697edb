#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "common/atomic_file.h"
#include "eval/format.h"
#include "eval/html_report.h"
#include "eval/judgments.h"
#include "eval/metrics.h"
#include "eval/rankings.h"

ABSL_FLAG(std::string, qrels, "", "eval: judgments TSV (article_id, related_id, grade)");
ABSL_FLAG(std::string, dups, "", "eval: duplicate groups TSV (two or more ids per line)");
ABSL_FLAG(std::string, links, "",
          "eval: judge this links TSV (article_id, rank, related_id, score) instead of the engine");
ABSL_FLAG(std::string, baseline, "",
          "eval: also judge, side by side, 'existing' (the related_articleN blocks in the "
          "files) or a links TSV");
ABSL_FLAG(bool, json, false, "eval: print JSON instead of a table");
ABSL_FLAG(std::string, report, "",
          "eval: also write a self-contained HTML report (metric table, per-k curve, score "
          "histogram, worst-served articles) to this file");

namespace seealso::cli {
namespace {

// The system named by --links (a file) or the engine over `articles`.
absl::StatusOr<eval::Ranking> PrimaryRanking(std::vector<Article> articles, int k) {
  const std::string links = absl::GetFlag(FLAGS_links);
  if (!links.empty()) return eval::ReadLinks(links);
  auto index = RelatedIndex::Build(std::move(articles));
  return eval::EngineRanking(*index, k, absl::GetFlag(FLAGS_threads));
}

std::string SystemName(const std::string& links_flag, const char* otherwise) {
  return links_flag.empty() ? otherwise : std::filesystem::path(links_flag).filename().string();
}

}  // namespace

int Eval() {
  const int k = absl::GetFlag(FLAGS_k) == 0 ? 10 : absl::GetFlag(FLAGS_k);
  if (k < 1) {
    PrintError("eval", "--k must be at least 1");
    return 2;
  }
  const std::string baseline = absl::GetFlag(FLAGS_baseline);
  absl::StatusOr<std::vector<Article>> articles = LoadArticlesFromFlags();
  if (!articles.ok()) {
    PrintError("eval", articles.status().message());
    return 2;
  }
  std::optional<eval::Qrels> qrels;
  if (const std::string path = absl::GetFlag(FLAGS_qrels); !path.empty()) {
    absl::StatusOr<eval::Qrels> read = eval::ReadQrels(path);
    if (!read.ok()) {
      PrintError("eval", read.status().message());
      return 2;
    }
    qrels = *std::move(read);
  }
  eval::DupGroups dups;
  if (const std::string path = absl::GetFlag(FLAGS_dups); !path.empty()) {
    absl::StatusOr<eval::DupGroups> read = eval::ReadDupGroups(path);
    if (!read.ok()) {
      PrintError("eval", read.status().message());
      return 2;
    }
    dups = *std::move(read);
  }
  const eval::Catalogue catalogue = eval::CatalogueOf(*articles);
  std::map<int64_t, std::string> titles;
  for (const Article& a : *articles) titles[a.id] = a.title;
  std::optional<eval::Ranking> baseline_ranking;
  if (baseline == "existing") {
    baseline_ranking = eval::ExistingRanking(*articles);
  } else if (!baseline.empty()) {
    absl::StatusOr<eval::Ranking> read = eval::ReadLinks(baseline);
    if (!read.ok()) {
      PrintError("eval", read.status().message());
      return 2;
    }
    baseline_ranking = *std::move(read);
  }
  absl::StatusOr<eval::Ranking> primary = PrimaryRanking(*std::move(articles), k);
  if (!primary.ok()) {
    PrintError("eval", primary.status().message());
    return 2;
  }

  const eval::Qrels* judged = qrels ? &*qrels : nullptr;
  std::vector<eval::NamedReport> systems = {
      {SystemName(absl::GetFlag(FLAGS_links), "engine"),
       eval::Evaluate(*primary, catalogue, judged, dups, k)}};
  if (baseline_ranking) {
    systems.push_back({SystemName(baseline == "existing" ? "" : baseline, "existing"),
                       eval::Evaluate(*baseline_ranking, catalogue, judged, dups, k)});
  }

  if (const std::string path = absl::GetFlag(FLAGS_report); !path.empty()) {
    const std::string html = eval::RenderHtmlReport({.systems = systems,
                                                     .ranking = *std::move(primary),
                                                     .qrels = qrels.value_or(eval::Qrels{}),
                                                     .titles = std::move(titles)});
    if (absl::Status s = WriteFileAtomically(path, html); !s.ok()) {
      PrintError("eval", s.message());
      return 1;
    }
  }
  std::string out;
  if (absl::GetFlag(FLAGS_json)) {
    out = eval::FormatJson(systems);
  } else {
    out = absl::StrCat("seealso eval: ", catalogue.size(), " articles, k = ", k,
                       qrels ? "" : ", no --qrels (hygiene only)", "\n",
                       eval::FormatTable(systems));
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace seealso::cli
