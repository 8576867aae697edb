// Top-k ranking: order, self-exclusion, id/URL dedup, batch equals single.
#include "scoring/related_index.h"

#include <random>

#include "absl/container/flat_hash_set.h"
#include "embeddings/corpus.h"
#include "gtest/gtest.h"

namespace seealso {
namespace {

Article Doc(int64_t id, std::string title, std::string url = "") {
  Article a;
  a.id = id;
  a.title = std::move(title);
  a.url = url.empty() ? "/q/" + std::to_string(id) : std::move(url);
  return a;
}

std::vector<int64_t> Ids(const RelatedIndex& idx, const std::vector<Related>& list) {
  std::vector<int64_t> ids;
  for (const Related& r : list) ids.push_back(idx.article(r.doc).id);
  return ids;
}

TEST(CanonicalUrlTest, IgnoresCaseSlashesQueryAndFragment) {
  EXPECT_EQ(CanonicalUrl("/learn/A//b/"), "/learn/a/b");
  EXPECT_EQ(CanonicalUrl("/learn/a/b?utm=1#top"), "/learn/a/b");
  EXPECT_EQ(CanonicalUrl("https://Example.com/learn/a/b"), "/learn/a/b");
  EXPECT_EQ(CanonicalUrl("/"), "/");
  EXPECT_EQ(CanonicalUrl(""), "");
}

TEST(RelatedIndexTest, RanksByCosineAndNeverReturnsSelf) {
  auto idx = RelatedIndex::Build({Doc(1, "graph coloring algorithms"),
                                  Doc(2, "graph coloring"),
                                  Doc(3, "graph algorithms survey"),
                                  Doc(4, "cooking pasta")});
  const auto list = idx->TopK(*idx->Find(1), RankOptions{.k = 10});
  // Article 4 shares no term with article 1: it is not related at all.
  ASSERT_EQ(Ids(*idx, list), (std::vector<int64_t>{2, 3}));
  EXPECT_GT(list[0].score, list[1].score);
  EXPECT_LE(list[0].score, 1.0f);
}

TEST(RelatedIndexTest, KLimitsTheList) {
  auto idx = RelatedIndex::Build(
      {Doc(1, "p q r"), Doc(2, "p q"), Doc(3, "p r"), Doc(4, "q r"), Doc(5, "p")});
  EXPECT_EQ(idx->TopK(*idx->Find(1), RankOptions{.k = 2}).size(), 2u);
  EXPECT_EQ(idx->TopK(*idx->Find(1), RankOptions{.k = 10}).size(), 4u);
}

TEST(RelatedIndexTest, TiesAreBrokenByIdAscending) {
  auto idx = RelatedIndex::Build({Doc(50, "x y"), Doc(7, "x z"), Doc(9, "x z"), Doc(3, "x z")});
  EXPECT_EQ(Ids(*idx, idx->TopK(*idx->Find(50), RankOptions{.k = 3})),
            (std::vector<int64_t>{3, 7, 9}));
}

TEST(RelatedIndexTest, SameCanonicalUrlAppearsOnce) {
  // 2 and 3 are one page under two ids; 4 has the query's own URL.
  auto idx = RelatedIndex::Build({Doc(1, "tcp congestion control", "/learn/cs/tcp"),
                                  Doc(2, "tcp congestion", "/learn/cs/tcp-congestion"),
                                  Doc(3, "tcp congestion control", "/Learn/cs/tcp-congestion/"),
                                  Doc(4, "tcp control", "/learn/cs/tcp?ref=x"),
                                  Doc(5, "congestion pricing")});
  const auto ids = Ids(*idx, idx->TopK(*idx->Find(1), RankOptions{.k = 10}));
  EXPECT_EQ(ids, (std::vector<int64_t>{3, 5}));
}

TEST(RelatedIndexTest, RefillsAfterDedupToReachK) {
  // Ten copies of one URL rank first; k = 3 still gets three distinct pages.
  std::vector<Article> docs = {Doc(1, "alpha beta gamma")};
  for (int i = 0; i < 10; ++i) docs.push_back(Doc(100 + i, "alpha beta gamma", "/same"));
  docs.push_back(Doc(200, "alpha beta"));
  docs.push_back(Doc(201, "alpha"));
  auto idx = RelatedIndex::Build(std::move(docs));
  EXPECT_EQ(Ids(*idx, idx->TopK(*idx->Find(1), RankOptions{.k = 3})),
            (std::vector<int64_t>{100, 200, 201}));
}

// Property: on random corpora, no list holds self or a repeated id/URL, lists are
// sorted, and the batch path equals the single path for any thread count.
TEST(RelatedIndexTest, RandomCorporaKeepInvariants) {
  std::mt19937 rng(42);
  const std::vector<std::string> words = {"graph", "tree", "hash", "heap", "sort", "cache",
                                          "queue", "stack", "list", "trie"};
  for (int round = 0; round < 20; ++round) {
    std::vector<Article> docs;
    const int n = 5 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      std::string title;
      for (int w = 0, len = 1 + static_cast<int>(rng() % 5); w < len; ++w) {
        title += words[rng() % words.size()] + " ";
      }
      docs.push_back(Doc(1000 + i, title, "/u/" + std::to_string(rng() % (n / 2 + 1))));
    }
    auto idx = RelatedIndex::Build(std::move(docs));
    const RankOptions opts{.k = 1 + static_cast<int>(rng() % 8)};
    const auto all1 = idx->AllTopK(opts, 1);
    const auto all3 = idx->AllTopK(opts, 3);
    for (int32_t d = 0; d < idx->size(); ++d) {
      const auto list = idx->TopK(d, opts);
      ASSERT_LE(static_cast<int>(list.size()), opts.k);
      absl::flat_hash_set<int64_t> ids;
      absl::flat_hash_set<std::string> urls = {CanonicalUrl(idx->article(d).url)};
      for (size_t i = 0; i < list.size(); ++i) {
        EXPECT_NE(list[i].doc, d);
        EXPECT_TRUE(ids.insert(idx->article(list[i].doc).id).second);
        EXPECT_TRUE(urls.insert(CanonicalUrl(idx->article(list[i].doc).url)).second);
        EXPECT_GT(list[i].score, 0.0f);
        if (i > 0) {
          EXPECT_TRUE(list[i - 1].score > list[i].score ||
                      (list[i - 1].score == list[i].score &&
                       idx->article(list[i - 1].doc).id < idx->article(list[i].doc).id));
        }
      }
      ASSERT_EQ(Ids(*idx, list), Ids(*idx, all1[d]));
      ASSERT_EQ(Ids(*idx, list), Ids(*idx, all3[d]));
    }
  }
}

TEST(RelatedIndexTest, SampleCorpusExampleGetsFourDistinctLinks) {
  absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
  ASSERT_TRUE(c.ok()) << c.status();
  auto idx = RelatedIndex::Build(std::move(c->articles));
  const auto doc = idx->Find(171811);
  ASSERT_TRUE(doc.has_value());
  const auto ids = Ids(*idx, idx->TopK(*doc, RankOptions{.k = 4}));
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(absl::flat_hash_set<int64_t>(ids.begin(), ids.end()).size(), 4u);
  for (int64_t id : ids) EXPECT_NE(id, 171811);
}

}  // namespace
}  // namespace seealso
