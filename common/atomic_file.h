// Crash-safe file replacement.
#ifndef SEEALSO_COMMON_ATOMIC_FILE_H_
#define SEEALSO_COMMON_ATOMIC_FILE_H_

#include <filesystem>
#include <optional>
#include <string_view>
#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace seealso {

// Replaces (or creates) `path` with `contents` so that a crash at any moment
// leaves either the old file or the new one, never a mix: writes a temporary
// file in the same directory, fsyncs it, renames it over `path`, then fsyncs
// the directory. The file gets `mode` if given, else the mode of the file it
// replaces, else 0644. On error the temporary file is removed and `path` is
// untouched.
absl::Status WriteFileAtomically(const std::filesystem::path& path, absl::string_view contents,
                                 std::optional<mode_t> mode = std::nullopt);

// The same for a file that is the concatenation of `pieces`, written without
// joining them first (large outputs such as index snapshots).
absl::Status WriteFileAtomically(const std::filesystem::path& path,
                                 absl::Span<const absl::string_view> pieces,
                                 std::optional<mode_t> mode = std::nullopt);

}  // namespace seealso

#endif  // SEEALSO_COMMON_ATOMIC_FILE_H_
