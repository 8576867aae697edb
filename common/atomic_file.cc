#include "common/atomic_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <utility>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace seealso {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::filesystem::path& path) {
  return absl::UnavailableError(absl::StrCat(path.string(), ": ", what, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status WriteFileAtomically(const std::filesystem::path& path, absl::string_view contents,
                                 std::optional<mode_t> mode) {
  return WriteFileAtomically(path, absl::MakeConstSpan(&contents, 1), mode);
}

absl::Status WriteFileAtomically(const std::filesystem::path& path,
                                 absl::Span<const absl::string_view> pieces,
                                 std::optional<mode_t> mode) {
  absl::StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path, mode);
  if (!writer.ok()) return writer.status();
  for (absl::string_view contents : pieces) {
    if (absl::Status s = writer->Append(contents); !s.ok()) return s;
  }
  return writer->Commit();
}

absl::StatusOr<AtomicFileWriter> AtomicFileWriter::Create(const std::filesystem::path& path,
                                                          std::optional<mode_t> mode) {
  if (!mode) {
    struct stat st;
    mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  // StrCat, not operator+: GCC 12 at -O3 warns -Wrestrict on the latter (a false positive).
  std::string tmp = (dir / absl::StrCat(".", path.filename().string(), ".tmp.XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ErrnoError("cannot create temporary file", path);
  return AtomicFileWriter(path, std::move(tmp), fd, *mode);
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_(std::exchange(other.tmp_, std::string())),
      fd_(std::exchange(other.fd_, -1)),
      mode_(other.mode_) {}

AtomicFileWriter::~AtomicFileWriter() { Abandon(absl::OkStatus()).IgnoreError(); }

absl::Status AtomicFileWriter::Abandon(absl::Status s) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
  return s;
}

absl::Status AtomicFileWriter::Append(absl::string_view bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError(path_.string() + ": writer is closed");
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Abandon(ErrnoError("write failed", path_));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return absl::FailedPreconditionError(path_.string() + ": writer is closed");
  if (::fchmod(fd_, mode_) != 0) return Abandon(ErrnoError("chmod failed", path_));
  if (::fsync(fd_) != 0) return Abandon(ErrnoError("fsync failed", path_));
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return Abandon(ErrnoError("close failed", path_));
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) return Abandon(ErrnoError("rename failed", path_));
  tmp_.clear();
  // Make the rename itself durable.
  const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

}  // namespace seealso
