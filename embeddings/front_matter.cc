#include "embeddings/front_matter.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "utf8proc.h"
#include "yaml.h"

namespace seealso {
namespace {

absl::Status Error(absl::string_view path, int line, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", reason));
}

// Code points yaml-cpp read as ordinary text but libyaml rejects (C0 and C1
// controls, DEL, U+FFFE, U+FFFF) or reads as a line break or BOM (NEL, U+2028,
// U+2029, U+FEFF). Files holding them loaded before, so libyaml gets the front
// matter with each one swapped for a private-use stand-in, U+10FC00 + index,
// and scalars get the original back.
constexpr utf8proc_int32_t kStandInBase = 0x10FC00;
constexpr utf8proc_int32_t kStandInCount = 0xA5;

// The stand-in index of `cp`, or -1 if libyaml reads it like yaml-cpp did.
int StandInIndex(utf8proc_int32_t cp) {
  if (cp < 0xA0) {
    const bool control = cp < 0x20 || cp >= 0x7F;
    return control && cp != '\t' && cp != '\n' && cp != '\r' ? cp : -1;
  }
  switch (cp) {
    case 0x2028: return 0xA0;
    case 0x2029: return 0xA1;
    case 0xFEFF: return 0xA2;
    case 0xFFFE: return 0xA3;
    case 0xFFFF: return 0xA4;
    default: return -1;
  }
}

utf8proc_int32_t FromStandIn(utf8proc_int32_t index) {
  static constexpr utf8proc_int32_t kAbove[] = {0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF};
  return index < 0xA0 ? index : kAbove[index - 0xA0];
}

// One pass over the file: returns the 1-based line of the first invalid UTF-8
// byte, or 0 if valid; sets `*needs_stand_ins` if a code point needs one.
int ScanText(absl::string_view text, bool* needs_stand_ins) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto* end = p + text.size();
  int line = 1;
  bool special = false;
  while (p < end) {
    // Eight bytes at a time while none is a control byte, DEL or non-ASCII
    // (most of a file): a byte's high bit is set in x - 0x20 (and not in x)
    // if it is below 0x20, in x itself if non-ASCII, in x + 1 if DEL. Only
    // a flagged byte (below 0x20, or 0xFF) borrows or carries into the next,
    // so a wrong flag never comes alone; a flagged block goes byte by byte.
    if (end - p >= 8) {
      constexpr uint64_t kOnes = 0x0101010101010101u;
      constexpr uint64_t kHigh = 0x8080808080808080u;
      uint64_t x;
      std::memcpy(&x, p, 8);
      if (((((x - 0x20 * kOnes) & ~x) | x | (x + kOnes)) & kHigh) == 0) {
        p += 8;
        continue;
      }
    }
    // ASCII inline: utf8proc_iterate per byte was a visible share of load time.
    if (*p < 0x80) {
      if (*p == '\n') {
        ++line;
      } else if (*p < 0x20 || *p == 0x7F) {
        special |= StandInIndex(*p) >= 0;
      }
      ++p;
      continue;
    }
    utf8proc_int32_t cp;
    const utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &cp);
    if (n < 0) return line;
    special |= StandInIndex(cp) >= 0;
    p += n;
  }
  *needs_stand_ins = special;
  return 0;
}

// `yaml` (valid UTF-8) with stand-ins; false if it already holds a code point of
// the stand-in range, which would come back wrong (then libyaml reads it as is).
bool WithStandIns(absl::string_view yaml, std::string* out) {
  out->reserve(yaml.size() + 16);
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(yaml.data());
  const auto* end = p + yaml.size();
  while (p < end) {
    utf8proc_int32_t cp;
    const utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &cp);
    if (cp >= kStandInBase && cp < kStandInBase + kStandInCount) return false;
    if (const int index = StandInIndex(cp); index >= 0) {
      utf8proc_uint8_t buf[4];
      const utf8proc_ssize_t m = utf8proc_encode_char(kStandInBase + index, buf);
      out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(m));
    } else {
      out->append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    }
    p += n;
  }
  return true;
}

// Puts the original code points back into a scalar read from WithStandIns' text.
void RestoreStandIns(std::string* s) {
  if (s->find('\xF4') == std::string::npos) return;  // every stand-in starts with F4
  std::string out;
  out.reserve(s->size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s->data());
  const auto* end = p + s->size();
  while (p < end) {
    utf8proc_int32_t cp;
    const utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &cp);
    if (n > 0 && cp >= kStandInBase && cp < kStandInBase + kStandInCount) {
      utf8proc_uint8_t buf[4];
      const utf8proc_ssize_t m = utf8proc_encode_char(FromStandIn(cp - kStandInBase), buf);
      out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(m));
    } else {
      out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n > 0 ? n : 1));
    }
    p += n > 0 ? n : 1;
  }
  *s = std::move(out);
}

bool IsFenceLine(absl::string_view line) {
  line = absl::StripSuffix(line, "\r");
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line == "---";
}

// Literal "\n" sequences are export artifacts in the source data: whitespace.
void CleanText(std::string* s) {
  if (s->find("\\n") != std::string::npos) absl::StrReplaceAll({{"\\n", " "}}, s);
}

// A YAML node tree just deep enough to read the fields, built from libyaml's
// events: yaml-cpp's scanner and node tree were most of the corpus load time.
// It keeps yaml-cpp's semantics: plain `~`/`null`/empty scalars are null, the
// first of duplicate keys wins a lookup, an alias is the anchored node itself.
struct Node {
  enum Kind : uint8_t { kNull, kScalar, kSequence, kMap };
  Kind kind = kNull;
  int line = 0;                // 0-based within the front matter
  std::string scalar;          // kScalar only
  std::vector<int> children;   // kMap: key, value, key, value...; kSequence: items
};

struct Tree {
  std::vector<Node> nodes;
  int root = -1;  // -1: an empty document

  const Node& at(int i) const { return nodes[static_cast<size_t>(i)]; }
  // The value of the first `key` in map `map`, or nullptr.
  const Node* Find(const Node& map, absl::string_view key) const {
    for (size_t i = 0; i + 1 < map.children.size(); i += 2) {
      const Node& k = at(map.children[i]);
      if (k.kind == Node::kScalar && k.scalar == key) return &at(map.children[i + 1]);
    }
    return nullptr;
  }
};

// The front matter starts on file line 2; marks are 0-based.
int FileLine(int yaml_line) { return yaml_line + 2; }

// yaml-cpp's rule: an untagged plain scalar spelled like this is null.
bool IsNullScalar(const yaml_event_t& e) {
  if (e.data.scalar.tag != nullptr || e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
  const absl::string_view v(reinterpret_cast<const char*>(e.data.scalar.value),
                            e.data.scalar.length);
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

// yaml-cpp refused deeper nesting too; this also bounds the stack on hostile input.
constexpr size_t kMaxDepth = 500;

// Owns a libyaml parser and its current event.
class EventReader {
 public:
  explicit EventReader(absl::string_view yaml) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(yaml.data()),
                                 yaml.size());
  }
  ~EventReader() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  bool Next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    return has_event_;
  }
  const yaml_event_t& event() const { return event_; }
  const yaml_parser_t& parser() const { return parser_; }

 private:
  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
};

// libyaml's error as "path:line: malformed YAML: ...".
absl::Status SyntaxError(const yaml_parser_t& p, absl::string_view yaml, absl::string_view path) {
  int line = 0;
  if (p.error == YAML_READER_ERROR) {
    // The reader reports a byte offset, not a mark.
    const size_t offset = std::min(p.problem_offset, yaml.size());
    line = static_cast<int>(std::count(yaml.begin(), yaml.begin() + offset, '\n'));
  } else {
    line = static_cast<int>(p.problem_mark.line);
  }
  std::string reason = absl::StrCat("malformed YAML: ", p.problem ? p.problem : "parse error");
  if (p.context != nullptr) {
    absl::StrAppend(&reason, " (", p.context, " from line ",
                    FileLine(static_cast<int>(p.context_mark.line)), ")");
  }
  return Error(path, FileLine(line), reason);
}

// Builds the tree of the first document in `yaml`, as YAML::Load did.
// `stand_ins`: `yaml` came from WithStandIns, so scalars are restored.
absl::Status BuildTree(absl::string_view yaml, bool stand_ins, absl::string_view path,
                       Tree* tree) {
  EventReader reader(yaml);
  tree->nodes.reserve(64);  // an article's front matter has a few dozen nodes
  absl::flat_hash_map<std::string, int> anchors;
  std::vector<int> open;  // collections being filled, innermost last
  auto add = [&](Node::Kind kind, const yaml_event_t& e, const yaml_char_t* anchor) {
    const int index = static_cast<int>(tree->nodes.size());
    Node& n = tree->nodes.emplace_back();
    n.kind = kind;
    n.line = static_cast<int>(e.start_mark.line);
    if (anchor != nullptr) anchors[reinterpret_cast<const char*>(anchor)] = index;
    return index;
  };
  auto attach = [&](int index) {
    if (open.empty()) {
      tree->root = index;
    } else {
      tree->nodes[static_cast<size_t>(open.back())].children.push_back(index);
    }
  };
  while (true) {
    if (!reader.Next()) return SyntaxError(reader.parser(), yaml, path);
    const yaml_event_t& e = reader.event();
    switch (e.type) {
      case YAML_SCALAR_EVENT: {
        const bool null = IsNullScalar(e);
        const int i = add(null ? Node::kNull : Node::kScalar, e, e.data.scalar.anchor);
        if (!null) {
          std::string& scalar = tree->nodes.back().scalar;
          scalar.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
          if (stand_ins) RestoreStandIns(&scalar);
        }
        attach(i);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (open.size() >= kMaxDepth) {
          return Error(path, FileLine(static_cast<int>(e.start_mark.line)),
                       "malformed YAML: nested too deeply");
        }
        const bool map = e.type == YAML_MAPPING_START_EVENT;
        const int i = add(map ? Node::kMap : Node::kSequence, e,
                          map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor);
        attach(i);
        open.push_back(i);
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        open.pop_back();
        break;
      case YAML_ALIAS_EVENT: {
        const char* name = reinterpret_cast<const char*>(e.data.alias.anchor);
        auto it = anchors.find(name);
        if (it == anchors.end()) {
          return Error(path, FileLine(static_cast<int>(e.start_mark.line)),
                       absl::StrCat("malformed YAML: the referenced anchor is not defined: ", name));
        }
        attach(it->second);
        break;
      }
      case YAML_DOCUMENT_END_EVENT:
      case YAML_STREAM_END_EVENT:
        return absl::OkStatus();  // like YAML::Load, only the first document counts
      default:
        break;
    }
  }
}

// Reads an optional scalar field; absent or null leaves `out` empty.
absl::Status ReadString(const Tree& tree, const Node& map, const char* key,
                        absl::string_view path, std::string* out) {
  const Node* node = tree.Find(map, key);
  if (node == nullptr || node->kind == Node::kNull) return absl::OkStatus();
  if (node->kind != Node::kScalar) {
    return Error(path, FileLine(node->line), absl::StrCat("`", key, "` must be a string"));
  }
  *out = node->scalar;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadId(const Tree& tree, const Node& map, const char* key,
                               absl::string_view path, int missing_line) {
  const Node* node = tree.Find(map, key);
  if (node == nullptr || node->kind == Node::kNull) {
    return Error(path, missing_line, absl::StrCat("missing `", key, "`"));
  }
  int64_t id = 0;
  if (node->kind != Node::kScalar || !absl::SimpleAtoi(node->scalar, &id)) {
    return Error(path, FileLine(node->line),
                 absl::StrCat("`", key, "` must be an integer, got '",
                              node->kind == Node::kScalar ? node->scalar : "<not a scalar>", "'"));
  }
  return id;
}

absl::StatusOr<Article> FromTree(const Tree& tree, absl::string_view path, int end_line) {
  const Node& root = tree.at(tree.root);
  Article a;
  a.path = std::string(path);
  auto id = ReadId(tree, root, "id", path, end_line);
  if (!id.ok()) return id.status();
  a.id = *id;
  for (auto [key, out] : {std::pair{"title", &a.title}, std::pair{"subject", &a.subject},
                          std::pair{"url", &a.url}, std::pair{"question", &a.question},
                          std::pair{"answer", &a.answer}}) {
    if (absl::Status s = ReadString(tree, root, key, path, out); !s.ok()) return s;
  }
  if (a.title.empty()) {
    if (absl::Status s = ReadString(tree, root, "article_title", path, &a.title); !s.ok()) return s;
  }
  if (const Node* seo = tree.Find(root, "seo"); seo != nullptr && seo->kind == Node::kMap) {
    if (absl::Status s = ReadString(tree, *seo, "page_keywords", path, &a.keywords); !s.ok()) {
      return s;
    }
    if (absl::Status s = ReadString(tree, *seo, "page_description", path, &a.description);
        !s.ok()) {
      return s;
    }
  }
  CleanText(&a.question);
  CleanText(&a.answer);
  CleanText(&a.description);

  std::vector<std::pair<int, RelatedLink>> related;
  for (size_t i = 0; i + 1 < root.children.size(); i += 2) {
    const Node& k = tree.at(root.children[i]);
    if (k.kind != Node::kScalar) continue;
    absl::string_view key = k.scalar;
    int n = 0;
    if (!absl::ConsumePrefix(&key, "related_article") || !absl::SimpleAtoi(key, &n)) continue;
    const Node& block = tree.at(root.children[i + 1]);
    if (block.kind != Node::kMap) {
      return Error(path, FileLine(k.line), absl::StrCat("`", k.scalar, "` must be a mapping"));
    }
    RelatedLink link;
    auto link_id = ReadId(tree, block, "id", path, FileLine(k.line));
    if (!link_id.ok()) return link_id.status();
    link.id = *link_id;
    for (auto [key2, out] : {std::pair{"title", &link.title}, std::pair{"subject", &link.subject},
                             std::pair{"url", &link.url}}) {
      if (absl::Status s = ReadString(tree, block, key2, path, out); !s.ok()) return s;
    }
    related.emplace_back(n, std::move(link));
  }
  std::stable_sort(related.begin(), related.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  a.related.reserve(related.size());
  for (auto& [n, link] : related) a.related.push_back(std::move(link));
  return a;
}

}  // namespace

absl::StatusOr<Article> ParseArticle(absl::string_view text, absl::string_view path) {
  bool needs_stand_ins = false;
  if (int bad = ScanText(text, &needs_stand_ins); bad != 0) {
    return Error(path, bad, "invalid UTF-8");
  }
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

  // libyaml reads the front matter in place: no copy, unless it needs stand-ins.
  absl::string_view yaml = text.substr(body_start, fm_end - body_start);
  std::string replaced;
  const bool stand_ins = needs_stand_ins && WithStandIns(yaml, &replaced);
  if (stand_ins) yaml = replaced;
  Tree tree;
  if (absl::Status s = BuildTree(yaml, stand_ins, path, &tree); !s.ok()) return s;
  if (tree.root < 0 || tree.at(tree.root).kind != Node::kMap) {
    return Error(path, 2, "front matter is not a YAML mapping");
  }
  return FromTree(tree, path, line);
}

}  // namespace seealso
