#include "embeddings/front_matter.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "utf8proc.h"
#include "yaml-cpp/yaml.h"

namespace seealso {
namespace {

absl::Status Error(absl::string_view path, int line, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", reason));
}

// Returns the 1-based line of the first invalid UTF-8 byte, or 0 if valid.
int FirstInvalidUtf8Line(absl::string_view text) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t remaining = static_cast<utf8proc_ssize_t>(text.size());
  int line = 1;
  while (remaining > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, remaining, &cp);
    if (n < 0) return line;
    if (cp == '\n') ++line;
    p += n;
    remaining -= n;
  }
  return 0;
}

bool IsFenceLine(absl::string_view line) {
  line = absl::StripSuffix(line, "\r");
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line == "---";
}

// Literal "\n" sequences are export artifacts in the source data: whitespace.
std::string CleanText(std::string s) {
  return absl::StrReplaceAll(s, {{"\\n", " "}});
}

// yaml-cpp marks are 0-based within the front matter, which starts on file line 2.
int FileLine(const YAML::Mark& mark) { return mark.is_null() ? 1 : mark.line + 2; }

// Reads an optional scalar field; absent or null leaves `out` empty.
absl::Status ReadString(const YAML::Node& map, const char* key, absl::string_view path,
                        std::string* out) {
  const YAML::Node node = map[key];
  if (!node || node.IsNull()) return absl::OkStatus();
  if (!node.IsScalar()) {
    return Error(path, FileLine(node.Mark()), absl::StrCat("`", key, "` must be a string"));
  }
  *out = node.Scalar();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadId(const YAML::Node& map, const char* key, absl::string_view path,
                               int missing_line) {
  const YAML::Node node = map[key];
  if (!node || node.IsNull()) return Error(path, missing_line, absl::StrCat("missing `", key, "`"));
  int64_t id = 0;
  if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &id)) {
    return Error(path, FileLine(node.Mark()),
                 absl::StrCat("`", key, "` must be an integer, got '",
                              node.IsScalar() ? node.Scalar() : "<not a scalar>", "'"));
  }
  return id;
}

absl::StatusOr<Article> FromYaml(const YAML::Node& root, absl::string_view path, int end_line) {
  Article a;
  a.path = std::string(path);
  auto id = ReadId(root, "id", path, end_line);
  if (!id.ok()) return id.status();
  a.id = *id;
  for (auto [key, out] : {std::pair{"title", &a.title}, std::pair{"subject", &a.subject},
                          std::pair{"url", &a.url}, std::pair{"question", &a.question},
                          std::pair{"answer", &a.answer}}) {
    if (absl::Status s = ReadString(root, key, path, out); !s.ok()) return s;
  }
  if (a.title.empty()) {
    if (absl::Status s = ReadString(root, "article_title", path, &a.title); !s.ok()) return s;
  }
  if (const YAML::Node seo = root["seo"]; seo && seo.IsMap()) {
    if (absl::Status s = ReadString(seo, "page_keywords", path, &a.keywords); !s.ok()) return s;
    if (absl::Status s = ReadString(seo, "page_description", path, &a.description); !s.ok()) {
      return s;
    }
  }
  a.question = CleanText(std::move(a.question));
  a.answer = CleanText(std::move(a.answer));
  a.description = CleanText(std::move(a.description));

  std::vector<std::pair<int, RelatedLink>> related;
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) continue;
    absl::string_view key = kv.first.Scalar();
    int n = 0;
    if (!absl::ConsumePrefix(&key, "related_article") || !absl::SimpleAtoi(key, &n)) continue;
    const YAML::Node& block = kv.second;
    const std::string name = kv.first.Scalar();
    if (!block.IsMap()) {
      return Error(path, FileLine(kv.first.Mark()), absl::StrCat("`", name, "` must be a mapping"));
    }
    RelatedLink link;
    auto link_id = ReadId(block, "id", path, FileLine(kv.first.Mark()));
    if (!link_id.ok()) return link_id.status();
    link.id = *link_id;
    for (auto [key2, out] : {std::pair{"title", &link.title}, std::pair{"subject", &link.subject},
                             std::pair{"url", &link.url}}) {
      if (absl::Status s = ReadString(block, key2, path, out); !s.ok()) return s;
    }
    related.emplace_back(n, std::move(link));
  }
  std::stable_sort(related.begin(), related.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& [n, link] : related) a.related.push_back(std::move(link));
  return a;
}

}  // namespace

absl::StatusOr<Article> ParseArticle(absl::string_view text, absl::string_view path) {
  if (int bad = FirstInvalidUtf8Line(text); bad != 0) return Error(path, bad, "invalid UTF-8");
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");  // UTF-8 byte order mark

  // The front matter is the text between a first line `---` and the next `---` line.
  size_t first_end = text.find('\n');
  if (first_end == absl::string_view::npos || !IsFenceLine(text.substr(0, first_end))) {
    return Error(path, 1, "no front matter: the file must start with a '---' line");
  }
  size_t body_start = first_end + 1;
  size_t pos = body_start;
  int line = 2;
  size_t fm_end = absl::string_view::npos;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    absl::string_view l = text.substr(pos, eol == absl::string_view::npos ? eol : eol - pos);
    if (IsFenceLine(l)) {
      fm_end = pos;
      break;
    }
    if (eol == absl::string_view::npos) break;
    pos = eol + 1;
    ++line;
  }
  if (fm_end == absl::string_view::npos) {
    return Error(path, line, "front matter is not closed by a '---' line");
  }

  const std::string yaml(text.substr(body_start, fm_end - body_start));
  try {
    const YAML::Node root = YAML::Load(yaml);
    if (!root.IsMap()) return Error(path, 2, "front matter is not a YAML mapping");
    return FromYaml(root, path, line);
  } catch (const YAML::Exception& e) {
    return Error(path, FileLine(e.mark), absl::StrCat("malformed YAML: ", e.msg));
  }
}

}  // namespace seealso
