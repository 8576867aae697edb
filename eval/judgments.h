// What evaluation reads: related lists, relevance judgments and duplicate
// groups, as plain data, and the TSV files that hold them.
#ifndef SEEALSO_EVAL_JUDGMENTS_H_
#define SEEALSO_EVAL_JUDGMENTS_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace seealso::eval {

// One entry of a related list. `score` is NaN when the source has none
// (e.g. the related_articleN blocks already in the files).
struct ScoredLink {
  int64_t id = 0;
  double score = 0;
};

// Each article's related list, best first, keyed by article id.
using Ranking = std::map<int64_t, std::vector<ScoredLink>>;
// related id -> grade (0 = judged not relevant; > 0 relevant, higher is better).
using Judgments = std::map<int64_t, int>;
// article id -> its judgments.
using Qrels = std::map<int64_t, Judgments>;
// Sets of ids that are one question asked twice; a list should show at most one of each.
using DupGroups = std::vector<std::vector<int64_t>>;

// Parses `article_id<TAB>rank<TAB>related_id<TAB>score` lines (the format of
// `seealso links`); empty lines are skipped. Each list is ordered by rank.
// Errors are INVALID_ARGUMENT "path:line: reason": wrong field count, a
// non-integer id or rank, rank < 1, a non-numeric score, a rank repeated
// within one article.
absl::StatusOr<Ranking> ParseLinks(absl::string_view text, absl::string_view path);

// Parses `article_id<TAB>related_id<TAB>grade` lines (grade an integer >= 0);
// empty lines are skipped. A pair judged twice is an error naming both lines.
absl::StatusOr<Qrels> ParseQrels(absl::string_view text, absl::string_view path);

// Parses one group per line: two or more tab-separated ids, all distinct.
absl::StatusOr<DupGroups> ParseDupGroups(absl::string_view text, absl::string_view path);

// Reads `path` and parses it as above; a file that cannot be read is NOT_FOUND
// or INTERNAL with the path in the message.
absl::StatusOr<Ranking> ReadLinks(const std::filesystem::path& path);
absl::StatusOr<Qrels> ReadQrels(const std::filesystem::path& path);
absl::StatusOr<DupGroups> ReadDupGroups(const std::filesystem::path& path);

}  // namespace seealso::eval

#endif  // SEEALSO_EVAL_JUDGMENTS_H_
