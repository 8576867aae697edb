// Checksum64 is XXH64 (seed 0): the reference values come from libxxhash.
#include "common/checksum.h"

#include <string>

#include "gtest/gtest.h"

namespace seealso {
namespace {

TEST(Checksum64Test, MatchesXxh64ReferenceValues) {
  EXPECT_EQ(Checksum64(""), 0xef46db3751d8e999ULL);
  EXPECT_EQ(Checksum64("a"), 0xd24ec4f1a98c6e5bULL);
  EXPECT_EQ(Checksum64("abc"), 0x44bc2cf5ad770999ULL);
  // 43 bytes: one 32-byte stripe, an 8-byte word and a 3-byte tail.
  EXPECT_EQ(Checksum64("The quick brown fox jumps over the lazy dog"), 0x0b242d361fda71bcULL);
  std::string bytes;
  for (int i = 0; i < 1024; ++i) bytes.push_back(static_cast<char>(i % 256));
  EXPECT_EQ(Checksum64(bytes), 0x6f3914f18fe4df57ULL);
}

}  // namespace
}  // namespace seealso
