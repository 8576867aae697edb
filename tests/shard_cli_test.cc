// The sharding seam: N shard runs of `links` (and `regen`), concatenated or
// applied in turn, equal the unsharded run byte for byte.
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

#include "gtest/gtest.h"
#include "tests/run_command.h"
#include "tests/scratch_dir.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;

const std::string kBinary = SEEALSO_BINARY;
const std::string kSample = SEEALSO_SOURCE_DIR "/data/sample";

std::string Links(const std::string& extra) {
  const auto run = RunCommand(kBinary + " links --corpus " + kSample + " --k 5 " + extra +
                              " 2>/dev/null");
  EXPECT_EQ(run.status, 0) << extra;
  return run.out;
}

TEST(ShardTest, LinksShardsConcatenateToTheWhole) {
  const std::string whole = Links("");
  ASSERT_FALSE(whole.empty());
  for (int n : {1, 2, 3, 7, 60}) {
    std::string joined;
    for (int i = 0; i < n; ++i) joined += Links("--shard " + std::to_string(i) + "/" + std::to_string(n));
    EXPECT_EQ(joined, whole) << n << " shards";
  }
}

TEST(ShardTest, BadShardSpecIsAUsageError) {
  for (const char* bad : {"3/3", "-1/2", "1", "a/b", "0/0"}) {
    const auto run = RunCommand(kBinary + " links --corpus " + kSample + " --shard " + bad +
                                " 2>&1");
    EXPECT_EQ(run.status, 2) << bad;
    EXPECT_NE(run.out.find("--shard must be I/N"), std::string::npos) << run.out;
  }
}

std::map<std::string, std::string> Files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    files[fs::relative(e.path(), dir).string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

TEST(ShardTest, RegenShardsTogetherEqualOneRun) {
  const testing::ScratchDir scratch("seealso_shard");
  const fs::path& base = scratch.path();
  fs::copy(kSample, base / "whole", fs::copy_options::recursive);
  fs::copy(kSample, base / "sharded", fs::copy_options::recursive);
  ASSERT_EQ(RunCommand(kBinary + " regen --corpus " + (base / "whole").string() + " 2>/dev/null").status, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(RunCommand(kBinary + " regen --corpus " + (base / "sharded").string() + " --shard " +
                         std::to_string(i) + "/3 2>/dev/null")
                  .status,
              0);
  }
  EXPECT_EQ(Files(base / "sharded"), Files(base / "whole"));
  EXPECT_NE(Files(base / "whole"), Files(kSample));  // the sample's blocks are stale
}

}  // namespace
}  // namespace seealso
