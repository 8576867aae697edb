// Helpers shared by the regen tests.
#ifndef SEEALSO_TESTS_REGEN_TEST_UTIL_H_
#define SEEALSO_TESTS_REGEN_TEST_UTIL_H_

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "regen/unified_diff.h"

namespace seealso::testing_util {

inline std::string ReadBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteBytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// The files under `dir` (symlinks read through), by relative path; if
// `extension` is given, only the files that have it.
inline std::map<std::string, std::string> FilesUnder(const std::filesystem::path& dir,
                                                     const std::string& extension = "") {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_directory() || (!extension.empty() && e.path().extension() != extension)) continue;
    files[std::filesystem::relative(e.path(), dir).string()] = ReadBytes(e.path());
  }
  return files;
}

// The changed lines between two texts that are not related-block lines (a
// `related_articleN` key, an indented line, or a blank line); "" if none.
// Independent of the rewriter's own parsing, so it checks its surgery.
inline std::string NonRelatedChanges(const std::string& before, const std::string& after) {
  std::istringstream diff(UnifiedDiff(before, after, "a", "b", 0));
  std::string line, bad;
  for (int header = 0; header < 2 && std::getline(diff, line); ++header) {
  }
  while (std::getline(diff, line)) {
    if (absl::StartsWith(line, "@@") || absl::StartsWith(line, "\\")) continue;
    const std::string text = line.substr(1);
    const bool related = absl::StartsWith(text, "related_article") ||
                         absl::StartsWith(text, " ") || text.empty() || text == "\r";
    if (!related) bad += line + "\n";
  }
  return bad;
}

}  // namespace seealso::testing_util

#endif  // SEEALSO_TESTS_REGEN_TEST_UTIL_H_
