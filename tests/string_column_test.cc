// StringColumn: strings packed into one block; malformed parts are refused.
#include "common/string_column.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace seealso {
namespace {

TEST(StringColumnTest, BuilderKeepsStringsInOrderIncludingEmptyOnes) {
  StringColumnBuilder b;
  b.Reserve(4, 9);
  for (const char* s : {"graph", "", "k-sat", "\xc3\xa9"}) b.Add(s);
  const StringColumn c = b.Finish();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], "graph");
  EXPECT_EQ(c[1], "");
  EXPECT_EQ(c[2], "k-sat");
  EXPECT_EQ(c[3], "\xc3\xa9");
  EXPECT_EQ(std::vector<uint64_t>(c.offsets().begin(), c.offsets().end()),
            (std::vector<uint64_t>{0, 5, 5, 10, 12}));
  EXPECT_EQ(std::string(c.bytes().begin(), c.bytes().end()), "graphk-sat\xc3\xa9");
  // The builder starts over.
  b.Add("x");
  EXPECT_EQ(b.Finish().size(), 1u);
  EXPECT_TRUE(StringColumn().empty());
}

TEST(StringColumnTest, FromPartsRefusesOffsetsThatDoNotSpanTheBytes) {
  auto make = [](std::vector<uint64_t> offsets, std::string bytes) {
    return StringColumn::FromParts(FrozenArray<uint64_t>(std::move(offsets)),
                                   FrozenArray<char>::Own(std::move(bytes)));
  };
  const absl::StatusOr<StringColumn> good = make({0, 2, 3}, "abc");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ((*good)[0], "ab");
  EXPECT_EQ((*good)[1], "c");
  EXPECT_FALSE(make({}, "").ok());
  EXPECT_FALSE(make({1, 3}, "abc").ok());     // does not start at 0
  EXPECT_FALSE(make({0, 2}, "abc").ok());     // does not end at the size
  EXPECT_FALSE(make({0, 4}, "abc").ok());     // past the end
  const absl::StatusOr<StringColumn> decreasing = make({0, 2, 1, 3}, "abc");
  ASSERT_FALSE(decreasing.ok());
  EXPECT_EQ(decreasing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decreasing.status().message().find("decrease at string 1"), absl::string_view::npos)
      << decreasing.status();
}

}  // namespace
}  // namespace seealso
