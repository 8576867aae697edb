// Bounded candidate generation: exact where it should be, high recall where
// it prunes, identical scores for what it finds.
#include <filesystem>
#include <unistd.h>

#include "absl/container/flat_hash_map.h"
#include "embeddings/corpus.h"
#include "embeddings/front_matter.h"
#include "gen/generator.h"
#include "gtest/gtest.h"
#include "tests/generated_articles.h"
#include "scoring/related_index.h"

namespace seealso {
namespace {

std::unique_ptr<const RelatedIndex> GeneratedIndex(int64_t n) {
  GeneratorOptions o;
  o.n = n;
  o.seed = 3;
  o.vocabulary = 20000;
  return RelatedIndex::Build(testing_util::GeneratedArticles(o));
}

// Recall@10 of `pruning` against exact ranking over every tenth article.
// What pruning finds, it must score exactly: bit-identical to the exact path.
double Recall(const RelatedIndex& idx, const Pruning& pruning) {
  RankOptions exact{.k = 10};
  exact.pruning = Pruning{};
  RankOptions pruned = exact;
  pruned.pruning = pruning;
  int64_t found = 0, total = 0;
  for (int32_t d = 0; d < idx.size(); d += 10) {
    absl::flat_hash_map<int32_t, float> got;
    for (const Related& r : idx.TopK(d, pruned)) got[r.doc] = r.score;
    for (const Related& r : idx.TopK(d, exact)) {
      ++total;
      auto it = got.find(r.doc);
      if (it == got.end()) continue;
      ++found;
      EXPECT_EQ(it->second, r.score);
    }
  }
  EXPECT_GT(total, 2000);
  return static_cast<double>(found) / static_cast<double>(total);
}

TEST(PruningTest, RecallAgainstExactStaysHighOnGeneratedCorpus) {
  auto idx = GeneratedIndex(3000);
  EXPECT_GE(Recall(*idx, Pruning{.query_terms = 10, .postings_per_term = 200, .rescore = 100}), 0.95);
}

TEST(PruningTest, DefaultPruningKeepsRecallWhenEveryQueryIsPruned) {
  auto idx = GeneratedIndex(3000);
  Pruning pruning = RankOptions().pruning;
  ASSERT_FALSE(pruning.exact());
  pruning.exact_below_postings = 0;  // prune every query, even at this size
  EXPECT_GE(Recall(*idx, pruning), 0.99);
}

TEST(PruningTest, TightPruningLosesRecallSoTheKnobMatters) {
  auto idx = GeneratedIndex(3000);
  EXPECT_LT(Recall(*idx, Pruning{.query_terms = 1, .postings_per_term = 5, .rescore = 10}), 0.5);
}

TEST(PruningTest, SmallQueriesBelowTheBudgetAreExact) {
  absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
  ASSERT_TRUE(c.ok());
  auto idx = RelatedIndex::Build(std::move(c->articles));
  RankOptions exact{.k = 10};
  RankOptions budget = exact;
  budget.pruning = Pruning{.query_terms = 1, .postings_per_term = 1, .rescore = 1,
                           .exact_below_postings = 1'000'000};
  for (int32_t d = 0; d < idx->size(); ++d) {
    const auto a = idx->TopK(d, exact);
    const auto b = idx->TopK(d, budget);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].doc, b[i].doc);
      EXPECT_EQ(a[i].score, b[i].score);
    }
  }
}

}  // namespace
}  // namespace seealso
