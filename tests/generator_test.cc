// The synthetic corpus generator: determinism, format, judgments.
#include "gen/generator.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "embeddings/corpus.h"
#include "embeddings/front_matter.h"
#include "gtest/gtest.h"
#include "tests/scratch_dir.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}


TEST(GeneratorTest, SameSeedSameBytesAnyThreadCount) {
  GeneratorOptions o;
  o.n = 300;
  o.seed = 11;
  o.files_per_dir = 100;
  o.threads = 1;
  const testing::ScratchDir scratch_a("seealso_gen_a"), scratch_b("seealso_gen_b");
  const fs::path a = scratch_a.path(), b = scratch_b.path();
  ASSERT_TRUE(CorpusGenerator(o).Write(a).ok());
  o.threads = 3;
  ASSERT_TRUE(CorpusGenerator(o).Write(b).ok());
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), a);
    ASSERT_EQ(ReadFile(e.path()), ReadFile(b / rel)) << rel;
    ++files;
  }
  EXPECT_EQ(files, 300 + 3);  // articles + qrels.tsv, dups.tsv, README.md
}

TEST(GeneratorTest, DifferentSeedDifferentText) {
  GeneratorOptions o;
  o.n = 10;
  const std::string one = CorpusGenerator(o).Article(5).text;
  o.seed = 2;
  EXPECT_NE(one, CorpusGenerator(o).Article(5).text);
}

TEST(GeneratorTest, ArticlesParseInTheSeedFormat) {
  GeneratorOptions o;
  o.n = 200;
  o.first_id = 5000;
  CorpusGenerator gen(o);
  absl::flat_hash_set<int64_t> ids;
  for (int64_t i = 0; i < o.n; ++i) {
    const GeneratedArticle g = gen.Article(i);
    absl::StatusOr<Article> a = ParseArticle(g.text, g.path);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->id, 5000 + i);
    EXPECT_TRUE(ids.insert(a->id).second);
    EXPECT_FALSE(a->subject.empty());
    EXPECT_TRUE(a->url.starts_with("/learn/"));
    // Realistic lengths: title ~10 words, answer ~250 words.
    const auto words = [](const std::string& s) {
      std::istringstream in(s);
      return std::distance(std::istream_iterator<std::string>(in), {});
    };
    EXPECT_GE(words(a->title), 8);
    EXPECT_LE(words(a->title), 12);
    EXPECT_GE(words(a->answer), 150);
    EXPECT_LE(words(a->answer), 350);
  }
}

TEST(GeneratorTest, PlantedCopiesAndJudgmentsFollowTopics) {
  GeneratorOptions o;
  o.n = 2000;
  o.near_duplicate_share = 0.05;
  o.judged = 100;
  CorpusGenerator gen(o);
  int copies = 0;
  for (int64_t i = 0; i < o.n; ++i) {
    const GeneratedArticle g = gen.Article(i);
    if (g.copy_of < 0) continue;
    ++copies;
    ASSERT_LT(g.copy_of, i);
    EXPECT_EQ(gen.Article(g.copy_of).copy_of, -1);  // copies are of originals
    EXPECT_EQ(g.topic, gen.TopicOf(g.copy_of));
  }
  // 5% of 2000 = 100 expected; a binomial stays well within 60..140.
  EXPECT_GT(copies, 60);
  EXPECT_LT(copies, 140);

  const testing::ScratchDir scratch("seealso_gen_qrels");
  const fs::path dir = scratch.path();
  o.n = 400;
  CorpusGenerator small(o);
  ASSERT_TRUE(small.Write(dir).ok());
  std::ifstream qrels(dir / "qrels.tsv");
  int64_t a = 0, b = 0;
  int grade = 0;
  absl::flat_hash_set<int64_t> judged;
  int lines = 0;
  while (qrels >> a >> b >> grade) {
    ++lines;
    judged.insert(a);
    EXPECT_NE(a, b);
    EXPECT_EQ(small.TopicOf(a - 1), small.TopicOf(b - 1)) << a << " " << b;
    const bool copy = small.Article(a - 1).copy_of == b - 1 || small.Article(b - 1).copy_of == a - 1;
    EXPECT_EQ(grade, copy ? 2 : 1);
  }
  EXPECT_EQ(judged.size(), 100u);
  EXPECT_GT(lines, 100);
  // The written corpus loads cleanly.
  absl::StatusOr<Corpus> c = LoadCorpus(dir / "articles");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->articles.size(), 400u);
  EXPECT_TRUE(c->skipped.empty());
}

}  // namespace
}  // namespace seealso
