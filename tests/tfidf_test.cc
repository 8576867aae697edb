// TF-IDF weights checked against numbers computed by hand.
#include "embeddings/tfidf.h"

#include <cmath>

#include "gtest/gtest.h"

namespace seealso {
namespace {

Article Doc(int64_t id, std::string title) {
  Article a;
  a.id = id;
  a.title = std::move(title);
  return a;
}

// d0 "apple banana", d1 "apple apple cherry", d2 "banana durian"; n = 3.
// df: apple 2, banana 2, cherry 1, durian 1.
std::vector<Article> ThreeDocs() {
  return {Doc(1, "apple banana"), Doc(2, "apple apple cherry"), Doc(3, "banana durian")};
}

EmbeddingOptions PlainOptions() {
  EmbeddingOptions o;
  o.analyzer.remove_stopwords = false;
  return o;
}

float At(const SparseMatrix& m, int row, int col) { return m.coeff(row, col); }

TEST(TfidfTest, SublinearSmoothedWeightsMatchHandComputation) {
  const Embeddings e = Embeddings::Build(ThreeDocs(), PlainOptions());
  ASSERT_EQ(e.terms(), (std::vector<std::string>{"apple", "banana", "cherry", "durian"}));
  // idf = ln((1 + 3) / (1 + df)) + 1
  EXPECT_NEAR(e.idf()[0], std::log(4.0 / 3.0) + 1, 1e-6);  // 1.2876821
  EXPECT_NEAR(e.idf()[2], std::log(2.0) + 1, 1e-6);        // 1.6931472
  const SparseMatrix& m = e.matrix();
  // d0: apple and banana share tf 1 and idf 1.2876821: both 1/sqrt(2).
  EXPECT_NEAR(At(m, 0, 0), 0.7071068, 1e-6);
  EXPECT_NEAR(At(m, 0, 1), 0.7071068, 1e-6);
  EXPECT_EQ(At(m, 0, 2), 0.0f);
  // d1: apple (1 + ln 2) * 1.2876821 = 2.1802294, cherry 1 * 1.6931472;
  // norm 2.7604912 -> 0.7898069, 0.6133555.
  EXPECT_NEAR(At(m, 1, 0), 0.7898069, 1e-6);
  EXPECT_NEAR(At(m, 1, 2), 0.6133555, 1e-6);
  // d2: banana 1.2876821, durian 1.6931472; norm 2.1271834 -> 0.6053485, 0.7959605.
  EXPECT_NEAR(At(m, 2, 1), 0.6053485, 1e-6);
  EXPECT_NEAR(At(m, 2, 3), 0.7959605, 1e-6);
  EXPECT_EQ(m.nonZeros(), 6);
}

TEST(TfidfTest, RawTfAndUnsmoothedIdf) {
  EmbeddingOptions o = PlainOptions();
  o.tfidf.sublinear_tf = false;
  o.tfidf.smooth_idf = false;
  const Embeddings e = Embeddings::Build(ThreeDocs(), o);
  // idf = ln(3 / df) + 1: apple 1.4054651, cherry 2.0986123.
  EXPECT_NEAR(e.idf()[0], 1.4054651, 1e-6);
  EXPECT_NEAR(e.idf()[2], 2.0986123, 1e-6);
  // d1: apple 2 * 1.4054651 = 2.8109302, cherry 2.0986123; norm 3.5079 -> 0.8013097, 0.5982498.
  EXPECT_NEAR(e.matrix().coeff(1, 0), 0.8013097, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(1, 2), 0.5982498, 1e-6);
}

TEST(TfidfTest, RowsAreUnitLength) {
  const Embeddings e = Embeddings::Build(ThreeDocs(), PlainOptions());
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(e.matrix().row(i).norm(), 1.0, 1e-6);
}

TEST(TfidfTest, MinDfAndMaxDfPruneVocabulary) {
  EmbeddingOptions o = PlainOptions();
  o.tfidf.min_df = 2;  // drops cherry, durian
  EXPECT_EQ(Embeddings::Build(ThreeDocs(), o).terms(),
            (std::vector<std::string>{"apple", "banana"}));
  o.tfidf.min_df = 1;
  o.tfidf.max_df = 0.5;  // 1.5 documents at most: drops apple, banana
  EXPECT_EQ(Embeddings::Build(ThreeDocs(), o).terms(),
            (std::vector<std::string>{"cherry", "durian"}));
}

TEST(TfidfTest, FieldWeightMultipliesCounts) {
  // A title weight of 2 counts "apple" twice: same as d1's "apple apple".
  EmbeddingOptions o = PlainOptions();
  o.fields.title = 2.0;
  o.fields.question = 1.0;
  Article a = Doc(1, "apple");
  a.question = "cherry";
  std::vector<Article> docs = {Doc(9, "apple banana"), a, Doc(3, "banana durian")};
  const Embeddings e = Embeddings::Build(docs, o);
  EXPECT_NEAR(e.matrix().coeff(1, 0), 0.7898069, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(1, 2), 0.6133555, 1e-6);
}

TEST(TfidfTest, EmbedDraftUsesCorpusIdfAndIgnoresUnknownTerms) {
  const Embeddings e = Embeddings::Build(ThreeDocs(), PlainOptions());
  // "apple apple cherry zebra" embeds exactly like d1: zebra is not in the vocabulary.
  const SparseVector v = e.Embed(Doc(0, "apple apple cherry zebra"));
  EXPECT_EQ(v.nonZeros(), 2);
  EXPECT_NEAR(v.coeff(0), 0.7898069, 1e-6);
  EXPECT_NEAR(v.coeff(2), 0.6133555, 1e-6);
  EXPECT_EQ(e.Embed(Doc(0, "zebra")).nonZeros(), 0);
}

}  // namespace
}  // namespace seealso
