// Helpers shared by the snapshot tests: a scratch file, and reading and
// editing a snapshot's bytes at the places docs/snapshot-format.md (version 2)
// gives.
#ifndef SEEALSO_TESTS_SNAPSHOT_BYTES_H_
#define SEEALSO_TESTS_SNAPSHOT_BYTES_H_

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"
#include "common/checksum.h"
#include "gtest/gtest.h"
#include "tests/scratch_dir.h"

namespace seealso::testing_util {

// A fixture owning one scratch snapshot path, removed after each test.
class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_ / "index.snap"; }

  std::string ReadBytes() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Removes the file first: rewriting it in place makes ext4 flush it to disk
  // on close, which slows the many rewrites of the damage tests a hundredfold.
  void WriteBytes(const std::string& bytes) const {
    std::filesystem::remove(path_);
    std::ofstream(path_, std::ios::binary) << bytes;
  }

  testing::ScratchDir scratch_{"snapshot_file_test"};
  const std::filesystem::path dir_ = scratch_.path();
  std::filesystem::path path_;
};

template <typename T>
T Load(const std::string& bytes, size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof(v));
  return v;
}
template <typename T>
void Store(std::string* bytes, size_t at, T v) {
  std::memcpy(bytes->data() + at, &v, sizeof(v));
}

// The section table starts after the 32-byte preamble: a u32 count, a u32
// reserved, then 32-byte entries (tag, reserved, offset, size, checksum).
constexpr size_t kTable = 32;
// The model's sections (WriteSnapshot); extra sections follow them.
constexpr size_t kModelSections = 15;
inline size_t EntryAt(size_t section) { return kTable + 8 + 32 * section; }
inline size_t SectionCount(const std::string& b) { return Load<uint32_t>(b, kTable); }
inline size_t SectionOffset(const std::string& b, size_t s) { return Load<uint64_t>(b, EntryAt(s) + 8); }
inline size_t SectionSize(const std::string& b, size_t s) { return Load<uint64_t>(b, EntryAt(s) + 16); }

// Recomputes every checksum, so that a change inside a section reaches the
// structural checks instead of stopping at the checksum.
inline void Reseal(std::string* b) {
  const size_t count = SectionCount(*b);
  for (size_t s = 0; s < count; ++s) {
    Store<uint64_t>(b, EntryAt(s) + 24,
                    Checksum64(absl::string_view(*b).substr(SectionOffset(*b, s), SectionSize(*b, s))));
  }
  Store<uint64_t>(b, 24, Checksum64(absl::string_view(*b).substr(kTable, 8 + 32 * count)));
}

}  // namespace seealso::testing_util

#endif  // SEEALSO_TESTS_SNAPSHOT_BYTES_H_
