#include "common/atomic_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
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
  if (!mode) {
    struct stat st;
    mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  // StrCat, not operator+: GCC 12 at -O3 warns -Wrestrict on the latter (a false positive).
  std::string tmp = (dir / absl::StrCat(".", path.filename().string(), ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ErrnoError("cannot create temporary file", path);

  auto fail = [&](absl::string_view what) {
    absl::Status s = ErrnoError(what, path);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  for (absl::string_view contents : pieces) {
    for (size_t done = 0; done < contents.size();) {
      ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail("write failed");
      }
      done += static_cast<size_t>(n);
    }
  }
  if (::fchmod(fd, *mode) != 0) return fail("chmod failed");
  if (::fsync(fd) != 0) return fail("fsync failed");
  if (::close(fd) != 0) {
    fd = -1;
    return fail("close failed");
  }
  fd = -1;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename failed");
  // Make the rename itself durable.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

}  // namespace seealso
