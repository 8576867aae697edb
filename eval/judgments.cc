#include "eval/judgments.h"

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace seealso::eval {
namespace {

absl::Status LineError(absl::string_view path, int line, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", reason));
}

// Calls `fn(line_number, fields)` for each non-empty line, split on tabs;
// stops at the first error. A trailing '\r' is ignored.
template <typename Fn>
absl::Status ForEachLine(absl::string_view text, Fn fn) {
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty()) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (absl::Status s = fn(number, fields); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// OK if the line has one field per name.
absl::Status CheckFieldCount(absl::string_view path, int line,
                             const std::vector<absl::string_view>& fields,
                             std::initializer_list<absl::string_view> names) {
  if (fields.size() == names.size()) return absl::OkStatus();
  return LineError(path, line,
                   absl::StrCat("expected ", names.size(), " tab-separated fields (",
                                absl::StrJoin(names, ", "), "), found ", fields.size()));
}

bool ParseId(absl::string_view field, int64_t* id) { return absl::SimpleAtoi(field, id); }

absl::StatusOr<std::string> ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot open"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::InternalError(absl::StrCat(path.string(), ": read failed"));
  return text.str();
}

template <typename Parse>
auto ReadAndParse(const std::filesystem::path& path, Parse parse)
    -> decltype(parse(absl::string_view(), absl::string_view())) {
  absl::StatusOr<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  return parse(*text, path.string());
}

}  // namespace

absl::StatusOr<Ranking> ParseLinks(absl::string_view text, absl::string_view path) {
  // article -> rank -> (entry, line), so each list comes out in rank order.
  std::map<int64_t, std::map<int64_t, std::pair<ScoredLink, int>>> rows;
  absl::Status status = ForEachLine(text, [&](int line, const auto& f) -> absl::Status {
    if (absl::Status s = CheckFieldCount(path, line, f, {"article_id", "rank", "related_id",
                                                         "score"});
        !s.ok()) {
      return s;
    }
    int64_t article = 0, rank = 0;
    ScoredLink link;
    if (!ParseId(f[0], &article)) return LineError(path, line, "article_id is not an integer");
    if (!ParseId(f[1], &rank) || rank < 1) {
      return LineError(path, line, "rank is not an integer >= 1");
    }
    if (!ParseId(f[2], &link.id)) return LineError(path, line, "related_id is not an integer");
    if (!absl::SimpleAtod(f[3], &link.score) || !std::isfinite(link.score)) {
      return LineError(path, line, "score is not a number");
    }
    auto [it, inserted] = rows[article].try_emplace(rank, link, line);
    if (!inserted) {
      return LineError(path, line,
                       absl::StrCat("rank ", rank, " of article ", article,
                                    " already given on line ", it->second.second));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  Ranking ranking;
  for (const auto& [article, by_rank] : rows) {
    auto& list = ranking[article];
    for (const auto& [rank, entry] : by_rank) list.push_back(entry.first);
  }
  return ranking;
}

absl::StatusOr<Qrels> ParseQrels(absl::string_view text, absl::string_view path) {
  Qrels qrels;
  absl::flat_hash_map<std::pair<int64_t, int64_t>, int> line_of;
  absl::Status status = ForEachLine(text, [&](int line, const auto& f) -> absl::Status {
    if (absl::Status s = CheckFieldCount(path, line, f, {"article_id", "related_id", "grade"});
        !s.ok()) {
      return s;
    }
    int64_t article = 0, related = 0;
    int grade = 0;
    if (!ParseId(f[0], &article)) return LineError(path, line, "article_id is not an integer");
    if (!ParseId(f[1], &related)) return LineError(path, line, "related_id is not an integer");
    if (!absl::SimpleAtoi(f[2], &grade) || grade < 0) {
      return LineError(path, line, "grade is not an integer >= 0");
    }
    auto [it, inserted] = line_of.try_emplace(std::make_pair(article, related), line);
    if (!inserted) {
      return LineError(path, line,
                       absl::StrCat("pair ", article, " -> ", related, " already judged on line ",
                                    it->second));
    }
    qrels[article][related] = grade;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return qrels;
}

absl::StatusOr<DupGroups> ParseDupGroups(absl::string_view text, absl::string_view path) {
  DupGroups groups;
  absl::Status status = ForEachLine(text, [&](int line, const auto& f) -> absl::Status {
    if (f.size() < 2) return LineError(path, line, "expected two or more tab-separated ids");
    std::vector<int64_t> group;
    absl::flat_hash_set<int64_t> seen;
    for (absl::string_view field : f) {
      int64_t id = 0;
      if (!ParseId(field, &id)) {
        return LineError(path, line, absl::StrCat("'", field, "' is not an integer id"));
      }
      if (!seen.insert(id).second) {
        return LineError(path, line, absl::StrCat("id ", id, " appears twice"));
      }
      group.push_back(id);
    }
    groups.push_back(std::move(group));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return groups;
}

absl::StatusOr<Ranking> ReadLinks(const std::filesystem::path& path) {
  return ReadAndParse(path, ParseLinks);
}
absl::StatusOr<Qrels> ReadQrels(const std::filesystem::path& path) {
  return ReadAndParse(path, ParseQrels);
}
absl::StatusOr<DupGroups> ReadDupGroups(const std::filesystem::path& path) {
  return ReadAndParse(path, ParseDupGroups);
}

}  // namespace seealso::eval
