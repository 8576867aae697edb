#include "regen/related_blocks.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "embeddings/front_matter.h"

namespace seealso {
namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

// One line of the file: [begin, content_end) is its text without the line
// terminator, [content_end, end) the terminator ("\n", "\r\n" or "" at EOF).
struct Line {
  size_t begin = 0;
  size_t content_end = 0;
  size_t end = 0;
};

std::vector<Line> SplitLines(absl::string_view text, size_t from) {
  std::vector<Line> lines;
  while (from < text.size()) {
    size_t nl = text.find('\n', from);
    Line l;
    l.begin = from;
    l.end = nl == absl::string_view::npos ? text.size() : nl + 1;
    l.content_end = nl == absl::string_view::npos ? text.size() : nl;
    if (l.content_end > l.begin && text[l.content_end - 1] == '\r') --l.content_end;
    lines.push_back(l);
    from = l.end;
  }
  return lines;
}

// Same rule as the parser: `---` with optional trailing blanks.
bool IsFence(absl::string_view line) { return absl::StripTrailingAsciiWhitespace(line) == "---"; }

bool IsBlank(absl::string_view line) { return absl::StripAsciiWhitespace(line).empty(); }

bool IsIndented(absl::string_view line) {
  return !IsBlank(line) && (line[0] == ' ' || line[0] == '\t');
}

// The key of a top-level plain `key: value` line, or "" if the line is not one.
absl::string_view TopLevelKey(absl::string_view line) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '#') return "";
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ':' && (i + 1 == line.size() || line[i + 1] == ' ' || line[i + 1] == '\t')) {
      return absl::StripTrailingAsciiWhitespace(line.substr(0, i));
    }
  }
  return "";
}

// Mirrors the parser's reading of block keys, so both agree on what a block is.
bool IsRelatedKey(absl::string_view key) {
  int n = 0;
  return absl::ConsumePrefix(&key, "related_article") && absl::SimpleAtoi(key, &n);
}

// How new blocks are written; the defaults are the example article's style.
struct Style {
  std::string eol = "\n";
  std::string indent = "    ";
  bool folded_titles = true;
  std::string fold_indent = "        ";
};

absl::string_view LeadingWhitespace(absl::string_view line) {
  size_t n = 0;
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return line.substr(0, n);
}

// True if `s` reads back as the same string when written as a YAML plain
// scalar, for yaml-cpp and for YAML 1.1 readers (no bool/number/date/null look).
bool PlainIsSafe(absl::string_view s) {
  if (s.empty() || s != absl::StripAsciiWhitespace(s)) return false;
  if (absl::StrContains("-?:,[]{}#&*!|>'\"%@`~.+0123456789", s[0])) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return false;
  }
  if (absl::StrContains(s, ": ") || absl::StrContains(s, " #") || absl::EndsWith(s, ":")) {
    return false;
  }
  // Unicode line and paragraph separators and NEL are line breaks to some readers.
  if (absl::StrContains(s, "\xC2\x85") || absl::StrContains(s, "\xE2\x80\xA8") ||
      absl::StrContains(s, "\xE2\x80\xA9")) {
    return false;
  }
  const std::string lower = absl::AsciiStrToLower(s);
  for (absl::string_view word : {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}) {
    if (lower == word) return false;
  }
  return true;
}

std::string DoubleQuoted(absl::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      absl::StrAppend(&out, "\\", s.substr(i, 1));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      absl::StrAppendFormat(&out, "\\x%02X", c);
    } else if (s.substr(i, 2) == "\xC2\x85") {
      out += "\\N";
      ++i;
    } else if (s.substr(i, 3) == "\xE2\x80\xA8" || s.substr(i, 3) == "\xE2\x80\xA9") {
      out += s[i + 2] == '\xA8' ? "\\L" : "\\P";
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

std::string Scalar(absl::string_view s) { return PlainIsSafe(s) ? std::string(s) : DoubleQuoted(s); }

// A folded `>-` scalar on one line reads back unchanged when the text has no
// line breaks, no leading or trailing blanks, and is not empty.
bool FoldIsSafe(absl::string_view s) {
  if (s.empty() || s != absl::StripAsciiWhitespace(s)) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return false;
  }
  return !absl::StrContains(s, "\xC2\x85") && !absl::StrContains(s, "\xE2\x80\xA8") &&
         !absl::StrContains(s, "\xE2\x80\xA9");
}

std::string RenderBlocks(const std::vector<RelatedLink>& links, const Style& st) {
  std::string out;
  for (size_t i = 0; i < links.size(); ++i) {
    const RelatedLink& l = links[i];
    absl::StrAppend(&out, "related_article", i + 1, ":", st.eol);
    absl::StrAppend(&out, st.indent, "id: ", l.id, st.eol);
    if (st.folded_titles && FoldIsSafe(l.title)) {
      absl::StrAppend(&out, st.indent, "title: >-", st.eol, st.fold_indent, l.title, st.eol);
    } else {
      absl::StrAppend(&out, st.indent, "title: ", Scalar(l.title), st.eol);
    }
    absl::StrAppend(&out, st.indent, "subject: ", Scalar(l.subject), st.eol);
    absl::StrAppend(&out, st.indent, "url: ", Scalar(l.url), st.eol);
  }
  return out;
}

absl::Status Error(absl::string_view path, int line, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", reason));
}

bool SameExceptRelated(const Article& a, const Article& b) {
  return a.id == b.id && a.title == b.title && a.subject == b.subject && a.url == b.url &&
         a.question == b.question && a.answer == b.answer && a.keywords == b.keywords &&
         a.description == b.description;
}

}  // namespace

absl::StatusOr<std::string> RewriteRelatedBlocks(absl::string_view text,
                                                 const std::vector<RelatedLink>& links,
                                                 absl::string_view path) {
  absl::StatusOr<Article> before = ParseArticle(text, path);
  if (!before.ok()) return before.status();

  const size_t start = absl::StartsWith(text, kBom) ? kBom.size() : 0;
  const std::vector<Line> lines = SplitLines(text, start);
  auto content = [&](size_t i) {
    return text.substr(lines[i].begin, lines[i].content_end - lines[i].begin);
  };
  // The parser accepted the file, so line 0 is the opening fence and a closing one follows.
  size_t close = 1;
  while (close < lines.size() && !IsFence(content(close))) ++close;
  if (close == lines.size()) return Error(path, 1, "front matter is not closed");

  // An entry is its key line plus the indented lines after it; blank lines and
  // unindented comments belong to it only when more indented lines follow.
  auto entry_end = [&](size_t key) {
    size_t last = key;
    for (size_t j = key + 1; j < close; ++j) {
      absl::string_view l = content(j);
      if (IsIndented(l)) {
        last = j;
      } else if (!IsBlank(l) && l[0] != '#') {
        break;
      }
    }
    return last + 1;
  };

  std::vector<std::pair<size_t, size_t>> blocks;  // [begin, end) line ranges
  size_t after_score = 0;
  for (size_t i = 1; i < close;) {
    const absl::string_view key = TopLevelKey(content(i));
    if (key.empty()) {
      ++i;
      continue;
    }
    const size_t end = entry_end(i);
    if (IsRelatedKey(key)) blocks.emplace_back(i, end);
    if (key == "score" && after_score == 0) after_score = end;
    i = end;
  }

  Style style;
  style.eol = std::string(text.substr(lines[0].content_end, lines[0].end - lines[0].content_end));
  if (!blocks.empty()) {
    const auto [b, e] = blocks.front();
    if (b + 1 < e && IsIndented(content(b + 1))) {
      style.indent = std::string(LeadingWhitespace(content(b + 1)));
      style.fold_indent = style.indent + style.indent;
    }
    for (size_t j = b + 1; j < e; ++j) {
      absl::string_view l = content(j);
      if (!absl::ConsumePrefix(&l, style.indent) || !absl::ConsumePrefix(&l, "title:")) continue;
      style.folded_titles = absl::StartsWith(absl::StripLeadingAsciiWhitespace(l), ">");
      if (style.folded_titles && j + 1 < e && IsIndented(content(j + 1))) {
        style.fold_indent = std::string(LeadingWhitespace(content(j + 1)));
      }
      break;
    }
  }
  const size_t insert_at = !blocks.empty() ? blocks.front().first
                           : after_score != 0 ? after_score
                                              : close;

  std::string out(text.substr(0, lines[1].begin));
  size_t next_block = 0;
  for (size_t i = 1; i < close; ++i) {
    if (i == insert_at) out += RenderBlocks(links, style);
    if (next_block < blocks.size() && i >= blocks[next_block].first) {
      if (i + 1 == blocks[next_block].second) ++next_block;
      continue;
    }
    absl::StrAppend(&out, text.substr(lines[i].begin, lines[i].end - lines[i].begin));
  }
  if (insert_at == close) out += RenderBlocks(links, style);
  absl::StrAppend(&out, text.substr(lines[close].begin));

  // Refuse rather than write anything that does not read back as intended.
  absl::StatusOr<Article> after = ParseArticle(out, path);
  if (!after.ok()) {
    return Error(path, 1,
                 absl::StrCat("rewritten front matter would not parse (", after.status().message(),
                              "); file left unchanged"));
  }
  if (after->related != links || !SameExceptRelated(*before, *after)) {
    return Error(path, static_cast<int>(insert_at) + 1,
                 "rewritten related blocks would not read back as intended (unusual layout?); "
                 "file left unchanged");
  }
  return out;
}

}  // namespace seealso
