// Rankings to judge: the links already in the files, and the engine's.
#include <unistd.h>

#include "eval/rankings.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "embeddings/corpus.h"
#include "gtest/gtest.h"
#include "tests/scratch_dir.h"

namespace seealso::eval {
namespace {

std::vector<int64_t> Ids(const std::vector<ScoredLink>& list) {
  std::vector<int64_t> ids;
  for (const ScoredLink& l : list) ids.push_back(l.id);
  return ids;
}

std::vector<Article> Load(const std::filesystem::path& dir) {
  auto corpus = LoadCorpus(dir);
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  return corpus.ok() ? corpus->articles : std::vector<Article>{};
}

class CraftedFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 1 links to 2 twice, to itself and to a stale id; 2 links to 3 and 1;
    // 3 has no blocks. Subjects: 1 and 2 "a", 3 "b".
    Write("one.md", 1, "a", {2, 1, 2, 77});
    Write("two.md", 2, "a", {3, 1});
    Write("three.md", 3, "b", {});
  }
  void Write(const char* name, int64_t id, const char* subject, std::vector<int64_t> related) {
    std::ofstream out(dir_ / name);
    out << "---\nid: " << id << "\ntitle: T" << id << "\nsubject: " << subject
        << "\nurl: /q/" << id << "\n";
    int n = 0;
    for (int64_t r : related) {
      out << "related_article" << ++n << ":\n    id: " << r << "\n    title: R\n"
          << "    subject: a\n    url: /q/" << r << "\n";
    }
    out << "---\n\n&nbsp;\n";
  }
  testing::ScratchDir scratch_{"eval_rankings_test"};
  const std::filesystem::path dir_ = scratch_.path();
};

TEST_F(CraftedFilesTest, ExistingLinksKeepTheirDefects) {
  const std::vector<Article> articles = Load(dir_);
  const Ranking existing = ExistingRanking(articles);
  ASSERT_EQ(existing.size(), 3u);
  EXPECT_EQ(Ids(existing.at(1)), (std::vector<int64_t>{2, 1, 2, 77}));
  EXPECT_TRUE(std::isnan(existing.at(1)[0].score));
  EXPECT_TRUE(existing.at(3).empty());

  const Catalogue catalogue = CatalogueOf(articles);
  EXPECT_EQ(catalogue, (Catalogue{{1, "a"}, {2, "a"}, {3, "b"}}));
  const HygieneMetrics h = EvaluateHygiene(existing, catalogue, {{1, 3}}, 10);
  EXPECT_EQ(h.links, 6);
  EXPECT_EQ(h.empty_lists, 1);
  EXPECT_EQ(h.self_links, 1);
  EXPECT_EQ(h.repeated_ids, 1);
  EXPECT_EQ(h.unknown_ids, 1);
  EXPECT_EQ(h.dup_group_lists, 1);  // list 2 holds both 1 and 3
  // Known, non-repeated pairs: 1->2, 1->1, 2->3 (cross), 2->1.
  EXPECT_DOUBLE_EQ(h.cross_subject_share, 0.25);
  EXPECT_DOUBLE_EQ(h.coverage, 1.0);
  EXPECT_FALSE(h.mean_score.has_value());
}

class SampleCorpusTest : public ::testing::Test {
 protected:
  static std::filesystem::path Dir() {
    return std::filesystem::path(SEEALSO_SOURCE_DIR) / "data/sample";
  }
};

TEST_F(SampleCorpusTest, SeedArticlesDuplicateLinkIsARepeatedId) {
  const std::vector<Article> articles = Load(Dir());
  const Ranking existing = ExistingRanking(articles);
  const auto& seed = existing.at(171811);
  EXPECT_EQ(Ids(seed), (std::vector<int64_t>{171810, 171821, 171815, 171810}));
  const HygieneMetrics h = EvaluateHygiene({{171811, seed}}, CatalogueOf(articles), {}, 10);
  EXPECT_EQ(h.repeated_ids, 1);
  EXPECT_EQ(h.self_links, 0);
  EXPECT_EQ(h.unknown_ids, 0);
}

TEST_F(SampleCorpusTest, ExistingLinksMatchTheDefectsTheReadmeLists) {
  const std::vector<Article> articles = Load(Dir());
  ASSERT_EQ(articles.size(), 53u);
  const HygieneMetrics h =
      EvaluateHygiene(ExistingRanking(articles), CatalogueOf(articles), {}, 10);
  // data/sample/README.md: 9 articles repeat an id, 5 link to themselves,
  // 5 link to stale ids, 6 have no blocks.
  EXPECT_EQ(h.repeated_ids, 9);
  EXPECT_EQ(h.self_links, 5);
  EXPECT_EQ(h.unknown_ids, 5);
  EXPECT_EQ(h.empty_lists, 6);
  // 0*6 + 1*5 + 2*13 + 3*23 + 4*6 blocks.
  EXPECT_EQ(h.links, 124);
}

TEST_F(SampleCorpusTest, EngineListsAreClean) {
  std::vector<Article> articles = Load(Dir());
  const Catalogue catalogue = CatalogueOf(articles);
  const auto index = RelatedIndex::Build(std::move(articles));
  const Ranking engine = EngineRanking(*index, RankOptions{.k = 10}, 1);
  ASSERT_EQ(engine.size(), 53u);
  const HygieneMetrics h =
      EvaluateHygiene(engine, catalogue, {{171803, 171805}, {171851, 171852}}, 10);
  EXPECT_EQ(h.self_links + h.repeated_ids + h.unknown_ids, 0);
  EXPECT_EQ(h.empty_lists, 0);
  ASSERT_TRUE(h.mean_score.has_value());
  // Scores are rounded to the 6 decimals `seealso links` prints.
  for (const ScoredLink& l : engine.at(171811)) {
    EXPECT_DOUBLE_EQ(l.score, std::round(l.score * 1e6) / 1e6);
  }
}

}  // namespace
}  // namespace seealso::eval
