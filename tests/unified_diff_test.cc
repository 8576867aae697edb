// Unified diffs, checked against hand-written `diff -u` output.
#include "regen/unified_diff.h"

#include "gtest/gtest.h"

namespace seealso {
namespace {

TEST(UnifiedDiffTest, EqualTextsGiveNothing) { EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(UnifiedDiffTest, OneChangedLineWithContext) {
  EXPECT_EQ(UnifiedDiff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n", "a/f", "b/f"),
            "--- a/f\n+++ b/f\n"
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(UnifiedDiffTest, DistantChangesGetSeparateHunks) {
  EXPECT_EQ(UnifiedDiff("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "A\nb\nc\nd\ne\nf\ng\nh\ni\nJ\n", "o",
                        "n", 1),
            "--- o\n+++ n\n"
            "@@ -1,2 +1,2 @@\n-a\n+A\n b\n"
            "@@ -9,2 +9,2 @@\n i\n-j\n+J\n");
}

TEST(UnifiedDiffTest, NearChangesShareAHunk) {
  EXPECT_EQ(UnifiedDiff("a\nb\nc\nd\n", "A\nb\nc\nD\n", "o", "n", 1),
            "--- o\n+++ n\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n-d\n+D\n");
}

TEST(UnifiedDiffTest, InsertionIntoEmptyAndSingleLineRanges) {
  EXPECT_EQ(UnifiedDiff("", "x\n", "o", "n"), "--- o\n+++ n\n@@ -0,0 +1 @@\n+x\n");
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nnew\nb\n", "o", "n", 0),
            "--- o\n+++ n\n@@ -1,0 +2 @@\n+new\n");
}

TEST(UnifiedDiffTest, MarksMissingFinalNewline) {
  EXPECT_EQ(UnifiedDiff("a\nb", "a\nc", "o", "n"),
            "--- o\n+++ n\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
            "+c\n\\ No newline at end of file\n");
}

TEST(UnifiedDiffTest, KeepsCarriageReturns) {
  EXPECT_EQ(UnifiedDiff("a\r\nb\r\n", "a\r\nc\r\n", "o", "n"),
            "--- o\n+++ n\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n");
}

TEST(UnifiedDiffTest, KeepsCommonLinesInsideTheChangedMiddle) {
  EXPECT_EQ(UnifiedDiff("x\nk\ny\n", "p\nk\nq\n", "o", "n"),
            "--- o\n+++ n\n@@ -1,3 +1,3 @@\n-x\n+p\n k\n-y\n+q\n");
}

}  // namespace
}  // namespace seealso
