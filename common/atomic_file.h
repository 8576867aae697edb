// Crash-safe file replacement.
#ifndef SEEALSO_COMMON_ATOMIC_FILE_H_
#define SEEALSO_COMMON_ATOMIC_FILE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

// The same written as it is produced, so that a large output need not be
// held whole: Create() makes the temporary file, Append() adds bytes to it,
// Commit() makes it `path` (fsync, chmod, rename, fsync of the directory).
// A writer destroyed without a successful Commit() removes its temporary
// file and leaves `path` untouched.
class AtomicFileWriter {
 public:
  static absl::StatusOr<AtomicFileWriter> Create(const std::filesystem::path& path,
                                                 std::optional<mode_t> mode = std::nullopt);
  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&&) = delete;
  ~AtomicFileWriter();

  absl::Status Append(absl::string_view bytes);
  // At most once; after a failure the writer only cleans up.
  absl::Status Commit();

 private:
  AtomicFileWriter(std::filesystem::path path, std::string tmp, int fd, mode_t mode)
      : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd), mode_(mode) {}
  // Closes and removes the temporary file (if still there); returns `s`.
  absl::Status Abandon(absl::Status s);

  std::filesystem::path path_;
  std::string tmp_;  // "" once renamed or removed
  int fd_ = -1;
  mode_t mode_ = 0644;
};

}  // namespace seealso

#endif  // SEEALSO_COMMON_ATOMIC_FILE_H_
