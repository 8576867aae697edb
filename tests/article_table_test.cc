// ArticleTable: what an index keeps of each article, packed by field.
#include "embeddings/article_table.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso {
namespace {

using ::testing::ElementsAre;

Article Make(int64_t id, std::string title, std::vector<int64_t> links = {}) {
  Article a;
  a.id = id;
  a.path = "q/" + std::to_string(id) + ".md";
  a.title = std::move(title);
  a.subject = id % 2 == 0 ? "Graphs" : "";
  a.url = "/q/" + std::to_string(id);
  a.question = "not kept";
  for (int64_t l : links) a.related.push_back({l, "t", "s", "/q/" + std::to_string(l)});
  return a;
}

TEST(ArticleTableTest, KeepsMetadataAndOldLinkIdsInOrder) {
  const ArticleTable t = ArticleTable::Of({Make(4, "Graph coloring", {9, 4, 9}), Make(7, ""),
                                           Make(2, "Ünïcode", {7})});
  ASSERT_EQ(t.size(), 3u);
  const ArticleMeta a = t[0];
  EXPECT_EQ(a.id, 4);
  EXPECT_EQ(a.path, "q/4.md");
  EXPECT_EQ(a.title, "Graph coloring");
  EXPECT_EQ(a.subject, "Graphs");
  EXPECT_EQ(a.url, "/q/4");
  EXPECT_EQ(t[1].title, "");
  EXPECT_EQ(t[1].subject, "");
  EXPECT_EQ(t[2].title, "Ünïcode");
  EXPECT_EQ(t.id(2), 2);
  EXPECT_THAT(t.related_ids(0), ElementsAre(9, 4, 9));
  EXPECT_TRUE(t.related_ids(1).empty());
  EXPECT_THAT(t.related_ids(2), ElementsAre(7));
  // Copies share the arrays.
  const ArticleTable copy = t;
  EXPECT_EQ(copy[0].title.data(), t[0].title.data());
}

TEST(ArticleTableTest, WithoutLinksAndEmpty) {
  const ArticleTable t = ArticleTable::Of({Make(1, "a"), Make(2, "b")});
  EXPECT_TRUE(t.related_ids(0).empty());
  EXPECT_TRUE(t.related_ids(1).empty());
  EXPECT_TRUE(ArticleTable::Of({}).empty());
}

TEST(ArticleTableTest, FromPartsRefusesColumnsOfAnotherLength) {
  const ArticleTable t = ArticleTable::Of({Make(1, "a"), Make(2, "b")});
  const absl::StatusOr<ArticleTable> same =
      ArticleTable::FromParts(t.ids(), t.paths(), t.titles(), t.subjects(), t.urls());
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ((*same)[1].url, "/q/2");
  const ArticleTable one = ArticleTable::Of({Make(1, "a")});
  const absl::StatusOr<ArticleTable> mixed =
      ArticleTable::FromParts(t.ids(), t.paths(), one.titles(), t.subjects(), t.urls());
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(mixed.status().message().find("1 titles"), absl::string_view::npos) << mixed.status();
}

}  // namespace
}  // namespace seealso
