// A whole file mapped read-only into memory.
#ifndef SEEALSO_COMMON_MAPPED_FILE_H_
#define SEEALSO_COMMON_MAPPED_FILE_H_

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace seealso {

// The pages are mapped up front (MAP_POPULATE): a file already in the page
// cache costs no copy and no page faults later, and readers see its bytes as
// one array. Writers must replace such a file by rename (common/atomic_file.h),
// never rewrite it in place: the mapping keeps the old inode's bytes, but a
// file truncated under a mapping would fault its readers.
class MappedFile {
 public:
  // NOT_FOUND if `path` cannot be opened; INVALID_ARGUMENT if it is not a
  // regular file; UNAVAILABLE if it cannot be mapped. An empty file maps to
  // empty bytes.
  static absl::StatusOr<std::shared_ptr<const MappedFile>> Open(const std::filesystem::path& path);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  absl::string_view bytes() const { return {data_, size_}; }

 private:
  MappedFile(const char* data, size_t size) : data_(data), size_(size) {}
  const char* data_;
  size_t size_;
};

}  // namespace seealso

#endif  // SEEALSO_COMMON_MAPPED_FILE_H_
