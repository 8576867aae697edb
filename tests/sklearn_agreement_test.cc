// With scikit-learn's weighting (config.yaml beside the fixture), the engine's
// top-10 lists equal those scikit-learn produced (expected.tsv, made by
// make_expected.py with bench/sklearn_links.py): same ids, same order, same
// scores to float precision.
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "embeddings/corpus.h"
#include "gtest/gtest.h"
#include "scoring/related_index.h"

namespace seealso {
namespace {

constexpr char kFixture[] = SEEALSO_SOURCE_DIR "/tests/data/sklearn";

struct Link {
  int64_t related;
  double score;
};

TEST(SklearnAgreementTest, SameTopTenAsScikitLearn) {
  absl::StatusOr<Config> config = LoadConfig(std::string(kFixture) + "/config.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  absl::StatusOr<Corpus> corpus = LoadCorpus(std::string(kFixture) + "/articles");
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  auto index = RelatedIndex::Build(std::move(corpus->articles), config->embedding);

  std::map<int64_t, std::vector<Link>> expected;
  std::ifstream in(std::string(kFixture) + "/expected.tsv");
  int64_t article, related;
  int rank;
  double score;
  while (in >> article >> rank >> related >> score) expected[article].push_back({related, score});
  ASSERT_EQ(expected.size(), 18u);

  RankOptions options = config->ranking;
  options.k = 10;
  options.near_duplicate_threshold = 2.0f;  // scikit-learn does no dedup
  for (const auto& [id, want] : expected) {
    const auto got = index->TopK(*index->Find(id), options);
    ASSERT_EQ(got.size(), want.size()) << id;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(index->article(got[i].doc).id, want[i].related) << id << " rank " << i + 1;
      EXPECT_NEAR(got[i].score, want[i].score, 2e-6) << id << " rank " << i + 1;
    }
  }
}

}  // namespace
}  // namespace seealso
