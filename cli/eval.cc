#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "common/atomic_file.h"
#include "eval/format.h"
#include "eval/html_report.h"
#include "eval/judgments.h"
#include "eval/metrics.h"
#include "eval/rankings.h"
#include "eval/sweep.h"

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

// The specs of every --sweep given. absl keeps only the last value of a flag,
// so the parser below (called once per occurrence, in order) accumulates them.
// It skips empty text: absl also parses the unparsed default ("") as a check.
struct SweepSpecs {
  std::vector<std::string> specs;
};

bool AbslParseFlag(absl::string_view text, SweepSpecs* flag, std::string* /*error*/) {
  static auto* const seen = new std::vector<std::string>;
  if (!text.empty()) seen->emplace_back(text);
  flag->specs = *seen;
  return true;
}

std::string AbslUnparseFlag(const SweepSpecs& flag) { return absl::StrJoin(flag.specs, " "); }

}  // namespace seealso::cli

ABSL_FLAG(seealso::cli::SweepSpecs, sweep, {},
          "eval: KEY=V1,V2,... (repeatable): evaluate the engine on every combination, "
          "best first; keys: any section.key of the --config file (docs/configuration.md), "
          "e.g. fields.title=0.5,1 or scoring.near_duplicate_threshold=0.7,0.8");

namespace seealso::cli {
namespace {

RankOptions RankingWithK(const Config& config, int k) {
  RankOptions options = config.ranking;
  options.k = k;
  return options;
}

// Ranks and judges every point of the --sweep grid; prints the results best first.
int Sweep(const Config& base, const std::vector<Article>& articles,
          const eval::Catalogue& catalogue, const eval::Qrels& qrels, const eval::DupGroups& dups,
          int k) {
  std::vector<eval::SweepAxis> axes;
  for (const std::string& spec : absl::GetFlag(FLAGS_sweep).specs) {
    absl::StatusOr<eval::SweepAxis> axis = eval::ParseSweepAxis(spec);
    if (!axis.ok()) {
      PrintError("eval", axis.status().message());
      return 2;
    }
    axes.push_back(*std::move(axis));
  }
  absl::StatusOr<std::vector<eval::SweepPoint>> grid = eval::SweepGrid(axes);
  if (!grid.ok()) {
    PrintError("eval", grid.status().message());
    return 2;
  }
  std::vector<eval::SweepResult> results;
  for (eval::SweepPoint& point : *grid) {
    Config config = base;
    for (const auto& [key, value] : point) {
      if (absl::Status s = ApplyOverride(&config, absl::StrCat(key, "=", value)); !s.ok()) {
        PrintError("eval", absl::StrCat("--sweep: ", s.message()));
        return 2;
      }
    }
    auto index = RelatedIndex::Build(articles, config.embedding);
    const eval::Ranking ranking =
        eval::EngineRanking(*index, RankingWithK(config, k), absl::GetFlag(FLAGS_threads));
    results.push_back({std::move(point), eval::Evaluate(ranking, catalogue, &qrels, dups, k)});
  }
  eval::SortBestFirst(&results);
  const std::string out = absl::GetFlag(FLAGS_json) ? eval::FormatSweepJson(results)
                                                    : eval::FormatSweepTable(results);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// The system named by --links (a file) or the engine over `articles`.
absl::StatusOr<eval::Ranking> PrimaryRanking(const Config& config, std::vector<Article> articles,
                                             int k) {
  const std::string links = absl::GetFlag(FLAGS_links);
  if (!links.empty()) return eval::ReadLinks(links);
  auto index = RelatedIndex::Build(std::move(articles), config.embedding);
  return eval::EngineRanking(*index, RankingWithK(config, k), absl::GetFlag(FLAGS_threads));
}

std::string SystemName(const std::string& links_flag, const char* otherwise) {
  return links_flag.empty() ? otherwise : std::filesystem::path(links_flag).filename().string();
}

// Everything eval reads besides the primary ranking.
struct Inputs {
  std::vector<Article> articles;
  std::optional<eval::Qrels> qrels;
  std::optional<eval::DupGroups> dups;
  std::optional<eval::Ranking> baseline;
};

// Reads `path` with `read` into `out`; an empty path (flag not given) leaves it unset.
template <typename T>
absl::Status ReadIfGiven(const std::string& path,
                         absl::StatusOr<T> (*read)(const std::filesystem::path&),
                         std::optional<T>* out) {
  if (path.empty()) return absl::OkStatus();
  absl::StatusOr<T> value = read(path);
  if (!value.ok()) return value.status();
  *out = *std::move(value);
  return absl::OkStatus();
}

absl::StatusOr<Inputs> ReadInputs() {
  Inputs in;
  absl::StatusOr<std::vector<Article>> articles = LoadArticlesFromFlags();
  if (!articles.ok()) return articles.status();
  in.articles = *std::move(articles);
  const std::string baseline = absl::GetFlag(FLAGS_baseline);
  absl::Status status = ReadIfGiven(absl::GetFlag(FLAGS_qrels), &eval::ReadQrels, &in.qrels);
  if (status.ok()) status = ReadIfGiven(absl::GetFlag(FLAGS_dups), &eval::ReadDupGroups, &in.dups);
  if (status.ok() && baseline != "existing") {
    status = ReadIfGiven(baseline, &eval::ReadLinks, &in.baseline);
  }
  if (!status.ok()) return status;
  if (baseline == "existing") in.baseline = eval::ExistingRanking(in.articles);
  return in;
}

}  // namespace

int Eval() {
  const int k = absl::GetFlag(FLAGS_k) == 0 ? 10 : absl::GetFlag(FLAGS_k);
  if (k < 1) {
    PrintError("eval", "--k must be at least 1");
    return 2;
  }
  absl::StatusOr<Config> config = ConfigFromFlags();
  if (!config.ok()) {
    PrintError("eval", config.status().message());
    return 2;
  }
  absl::StatusOr<Inputs> in = ReadInputs();
  if (!in.ok()) {
    PrintError("eval", in.status().message());
    return 2;
  }
  const eval::Catalogue catalogue = eval::CatalogueOf(in->articles);
  if (!absl::GetFlag(FLAGS_sweep).specs.empty()) {
    if (!in->qrels || !absl::GetFlag(FLAGS_links).empty() || in->baseline ||
        !absl::GetFlag(FLAGS_report).empty()) {
      PrintError("eval", "--sweep needs --qrels, and goes without --links, --baseline, --report");
      return 2;
    }
    return Sweep(*config, in->articles, catalogue, *in->qrels, in->dups.value_or(eval::DupGroups{}), k);
  }
  std::map<int64_t, std::string> titles;
  for (const Article& a : in->articles) titles[a.id] = a.title;
  absl::StatusOr<eval::Ranking> primary = PrimaryRanking(*config, std::move(in->articles), k);
  if (!primary.ok()) {
    PrintError("eval", primary.status().message());
    return 2;
  }

  const eval::Qrels* judged = in->qrels ? &*in->qrels : nullptr;
  const eval::DupGroups dups = in->dups.value_or(eval::DupGroups{});
  const std::string baseline = absl::GetFlag(FLAGS_baseline);
  std::vector<eval::NamedReport> systems = {
      {SystemName(absl::GetFlag(FLAGS_links), "engine"),
       eval::Evaluate(*primary, catalogue, judged, dups, k)}};
  if (in->baseline) {
    systems.push_back({SystemName(baseline == "existing" ? "" : baseline, "existing"),
                       eval::Evaluate(*in->baseline, catalogue, judged, dups, k)});
  }

  if (const std::string path = absl::GetFlag(FLAGS_report); !path.empty()) {
    const std::string html = eval::RenderHtmlReport({.systems = systems,
                                                     .ranking = *std::move(primary),
                                                     .qrels = in->qrels.value_or(eval::Qrels{}),
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
                       judged ? "" : ", no --qrels (hygiene only)", "\n",
                       eval::FormatTable(systems));
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace seealso::cli
