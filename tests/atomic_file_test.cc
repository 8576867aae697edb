// Atomic file replacement: whole pieces or nothing.
#include "common/atomic_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/scratch_dir.h"

namespace seealso {
namespace {

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_ / "out.tsv"; }
  std::string Read() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  size_t Entries() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir_),
                                             std::filesystem::directory_iterator()));
  }
  testing::ScratchDir scratch_{"atomic_file_test"};
  const std::filesystem::path dir_ = scratch_.path();
  std::filesystem::path path_;
};

TEST_F(AtomicFileTest, WriterReplacesTheFileOnlyOnCommit) {
  std::ofstream(path_) << "old";
  {
    absl::StatusOr<AtomicFileWriter> w = AtomicFileWriter::Create(path_);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE(w->Append("new ").ok());
    ASSERT_TRUE(w->Append("bytes").ok());
    EXPECT_EQ(Read(), "old");  // nothing visible before the commit
    EXPECT_EQ(Entries(), 2u);  // the file and the temporary one
    ASSERT_TRUE(w->Commit().ok());
    EXPECT_FALSE(w->Append("more").ok());
  }
  EXPECT_EQ(Read(), "new bytes");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AtomicFileTest, AbandonedWriterLeavesTheFileAndNoTemporary) {
  std::ofstream(path_) << "old";
  {
    absl::StatusOr<AtomicFileWriter> w = AtomicFileWriter::Create(path_);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE(w->Append("half").ok());
    AtomicFileWriter moved = *std::move(w);  // the moved-from writer cleans nothing twice
  }
  EXPECT_EQ(Read(), "old");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AtomicFileTest, PiecesAreJoinedAndAMissingDirectoryFails) {
  const absl::string_view pieces[] = {"a\t1\n", "", "b\t2\n"};
  ASSERT_TRUE(WriteFileAtomically(path_, pieces).ok());
  EXPECT_EQ(Read(), "a\t1\nb\t2\n");
  EXPECT_EQ(AtomicFileWriter::Create(dir_ / "missing" / "x").status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace seealso
