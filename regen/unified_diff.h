// A unified diff (`diff -u` format) between two texts, for showing changes.
#ifndef SEEALSO_REGEN_UNIFIED_DIFF_H_
#define SEEALSO_REGEN_UNIFIED_DIFF_H_

#include <string>

#include "absl/strings/string_view.h"

namespace seealso {

// Returns the unified diff turning `old_text` into `new_text`, with `---
// old_name` / `+++ new_name` headers and `context` lines of context around
// each change; "" if the texts are equal. Lines end at '\n' and keep any '\r';
// a last line without '\n' is marked "\ No newline at end of file".
// The edit script is a longest common subsequence of lines after trimming the
// common head and tail; a very large changed middle is shown as replaced whole.
std::string UnifiedDiff(absl::string_view old_text, absl::string_view new_text,
                        absl::string_view old_name, absl::string_view new_name,
                        int context = 3);

}  // namespace seealso

#endif  // SEEALSO_REGEN_UNIFIED_DIFF_H_
