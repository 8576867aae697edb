#include "regen/unified_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"

namespace seealso {
namespace {

// Beyond this many LCS table cells the changed middle is shown as replaced whole.
constexpr size_t kMaxTableCells = size_t{1} << 22;

std::vector<absl::string_view> Lines(absl::string_view text) {
  std::vector<absl::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    size_t len = nl == absl::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(0, len));
    text.remove_prefix(len);
  }
  return lines;
}

// One line of the edit script: ' ' kept, '-' removed, '+' added.
struct Op {
  char kind;
  absl::string_view line;
};

std::vector<Op> EditScript(const std::vector<absl::string_view>& a,
                           const std::vector<absl::string_view>& b) {
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  const size_t n = a.size() - head - tail;
  const size_t m = b.size() - head - tail;
  std::vector<Op> ops;
  for (size_t i = 0; i < head; ++i) ops.push_back({' ', a[i]});
  if ((n + 1) * (m + 1) <= kMaxTableCells) {
    // lcs[i * (m + 1) + j]: LCS length of a[head+i..] and b[head+j..] (middles only).
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1
                                              : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) {
        ops.push_back({' ', a[head + i++]});
        ++j;
      } else if (j == m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
        ops.push_back({'-', a[head + i++]});
      } else {
        ops.push_back({'+', b[head + j++]});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({'-', a[head + i]});
    for (size_t j = 0; j < m; ++j) ops.push_back({'+', b[head + j]});
  }
  for (size_t i = a.size() - tail; i < a.size(); ++i) ops.push_back({' ', a[i]});
  return ops;
}

std::string Range(size_t before, size_t count) {
  // An empty range names the line before it; a one-line range omits the count.
  if (count == 1) return absl::StrCat(before + 1);
  return absl::StrCat(count == 0 ? before : before + 1, ",", count);
}

}  // namespace

std::string UnifiedDiff(absl::string_view old_text, absl::string_view new_text,
                        absl::string_view old_name, absl::string_view new_name, int context) {
  if (old_text == new_text) return "";
  const std::vector<Op> ops = EditScript(Lines(old_text), Lines(new_text));
  const size_t ctx = static_cast<size_t>(std::max(context, 0));
  std::string out = absl::StrCat("--- ", old_name, "\n+++ ", new_name, "\n");
  // old_before[k] / new_before[k]: old and new lines preceding ops[k].
  std::vector<size_t> old_before(ops.size() + 1, 0), new_before(ops.size() + 1, 0);
  for (size_t k = 0; k < ops.size(); ++k) {
    old_before[k + 1] = old_before[k] + (ops[k].kind != '+');
    new_before[k + 1] = new_before[k] + (ops[k].kind != '-');
  }
  size_t k = 0;
  while (k < ops.size()) {
    while (k < ops.size() && ops[k].kind == ' ') ++k;
    if (k == ops.size()) break;
    // Extend the hunk while the next change is within 2 * context kept lines.
    const size_t begin = k >= ctx ? k - ctx : 0;
    size_t last = k;
    for (size_t j = k + 1; j < ops.size() && j <= last + 2 * ctx + 1; ++j) {
      if (ops[j].kind != ' ') last = j;
    }
    const size_t end = std::min(ops.size(), last + 1 + ctx);
    absl::StrAppend(&out, "@@ -", Range(old_before[begin], old_before[end] - old_before[begin]),
                    " +", Range(new_before[begin], new_before[end] - new_before[begin]), " @@\n");
    for (size_t j = begin; j < end; ++j) {
      absl::StrAppend(&out, absl::string_view(&ops[j].kind, 1), ops[j].line);
      if (ops[j].line.empty() || ops[j].line.back() != '\n') {
        out += "\n\\ No newline at end of file\n";
      }
    }
    k = end;
  }
  return out;
}

}  // namespace seealso
