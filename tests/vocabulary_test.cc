#include "embeddings/vocabulary.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace seealso {
namespace {

TEST(VocabularyTest, FindsEveryTermAndNothingElse) {
  const std::vector<std::string> terms = {"", "a", "ab", "apple_pie", "b", "c++", "z\xC3\xA9"};
  absl::StatusOr<Vocabulary> v = Vocabulary::FromSorted(terms);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), terms.size());
  EXPECT_EQ(v->ToStrings(), terms);
  for (size_t j = 0; j < terms.size(); ++j) {
    EXPECT_EQ((*v)[j], terms[j]);
    EXPECT_EQ(v->Find(terms[j]), static_cast<int32_t>(j)) << terms[j];
  }
  for (const char* absent : {"aa", "abc", "apple", "c", "zz", "\xFF"}) {
    EXPECT_EQ(v->Find(absent), -1) << absent;
  }
  // The layout is the snapshot's string table: offsets, then the bytes.
  EXPECT_EQ(v->offsets(), (std::vector<uint64_t>{0, 0, 1, 3, 12, 13, 16, 19}));
  EXPECT_EQ(v->blob(), "aabapple_piebc++z\xC3\xA9");
}

TEST(VocabularyTest, EmptyVocabularyFindsNothing) {
  const Vocabulary v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.Find("a"), -1);
  EXPECT_TRUE(Vocabulary::FromParts({0}, "").ok());
}

TEST(VocabularyTest, RefusesUnsortedRepeatedOrMalformedParts) {
  EXPECT_EQ(Vocabulary::FromSorted({"b", "a"}).status().message(),
            "terms not strictly increasing at term 1");
  EXPECT_EQ(Vocabulary::FromSorted({"a", "b", "b"}).status().message(),
            "terms not strictly increasing at term 2");
  EXPECT_EQ(Vocabulary::FromParts({}, "").status().message(),
            "term offsets do not span the term bytes");
  EXPECT_EQ(Vocabulary::FromParts({1, 2}, "ab").status().message(),
            "term offsets do not span the term bytes");
  EXPECT_EQ(Vocabulary::FromParts({0, 3}, "ab").status().message(),
            "term offsets do not span the term bytes");
  EXPECT_EQ(Vocabulary::FromParts({0, 2, 1, 3}, "abc").status().message(),
            "term offsets decrease at term 1");
}

}  // namespace
}  // namespace seealso
