// TF-IDF weights checked against numbers computed by hand.
#include "embeddings/tfidf.h"

#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "embeddings/front_matter.h"
#include "gen/generator.h"

#include "gtest/gtest.h"
#include "tests/generated_articles.h"

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

// Every option pinned, so the hand computations below do not move with the
// defaults: whitespace-like tokens, pooled counts of the title alone.
EmbeddingOptions PlainOptions() {
  EmbeddingOptions o;
  o.analyzer = {.strip_markup = false, .normalize = false, .fold_accents = false, .min_length = 1,
                .remove_stopwords = false, .stem = false, .bigrams = false};
  o.fields = {.combine = FieldCombination::kCounts, .title = 1, .question = 1, .answer = 1,
              .keywords = 1, .description = 0, .subject = 0};
  o.tfidf = {.sublinear_tf = true, .smooth_idf = true, .min_df = 1, .max_df = 1.0,
             .bigram_min_df = 1, .bigram_weight = 1.0};
  return o;
}

float At(const SparseMatrix& m, int row, int col) { return m.coeff(row, col); }

TEST(TfidfTest, SublinearSmoothedWeightsMatchHandComputation) {
  const Embeddings e = Embeddings::Build(ThreeDocs(), PlainOptions());
  ASSERT_EQ(e.terms().ToStrings(), (std::vector<std::string>{"apple", "banana", "cherry", "durian"}));
  // idf = ln((1 + 3) / (1 + df)) + 1
  EXPECT_NEAR(e.idf()[0], std::log(4.0 / 3.0) + 1, 1e-6);  // 1.2876821
  EXPECT_NEAR(e.idf()[2], std::log(2.0) + 1, 1e-6);        // 1.6931472
  const SparseMatrixView m = e.matrix();
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
  EXPECT_EQ(Embeddings::Build(ThreeDocs(), o).terms().ToStrings(),
            (std::vector<std::string>{"apple", "banana"}));
  o.tfidf.min_df = 1;
  o.tfidf.max_df = 0.5;  // 1.5 documents at most: drops apple, banana
  EXPECT_EQ(Embeddings::Build(ThreeDocs(), o).terms().ToStrings(),
            (std::vector<std::string>{"cherry", "durian"}));
}

TEST(TfidfTest, BigramMinDfAndWeight) {
  EmbeddingOptions o = PlainOptions();
  o.analyzer.bigrams = true;
  o.tfidf.bigram_min_df = 2;
  o.tfidf.bigram_weight = 0.5;
  // Terms and df: apple 2, banana 2, cherry 2, durian 1, apple_banana 2,
  // banana_cherry 1, cherry_durian 1. The two bigrams in one document go;
  // durian, a unigram, stays (min_df 1).
  const Embeddings e = Embeddings::Build(
      {Doc(1, "apple banana"), Doc(2, "apple banana cherry"), Doc(3, "cherry durian")}, o);
  ASSERT_EQ(e.terms().ToStrings(),
            (std::vector<std::string>{"apple", "apple_banana", "banana", "cherry", "durian"}));
  // d0: apple, banana idf 1.2876821 each, apple_banana 0.5 * 1.2876821; norm 1.5 * 1.2876821
  // -> 1/1.5, 0.5/1.5, 1/1.5.
  EXPECT_NEAR(e.matrix().coeff(0, 0), 0.6666667, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(0, 1), 0.3333333, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(0, 2), 0.6666667, 1e-6);
  // d2: cherry 1.2876821, durian 1.6931472 (cherry_durian pruned); norm 2.1271748
  // -> 0.6053485, 0.7959605.
  EXPECT_NEAR(e.matrix().coeff(2, 3), 0.6053485, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(2, 4), 0.7959605, 1e-6);
  // The bigram floor never lowers min_df: min_df 3 drops every term of df 2 too.
  o.tfidf.min_df = 3;
  EXPECT_TRUE(Embeddings::Build({Doc(1, "apple banana"), Doc(2, "apple banana")}, o)
                  .terms()
                  .empty());
}

TEST(TfidfTest, BigramFieldsChooseWhichFieldsMakeBigrams) {
  EmbeddingOptions o = PlainOptions();
  o.analyzer.bigrams = true;
  Article a = Doc(1, "");
  a.question = "apple banana";
  a.answer = "cherry durian";
  Article b = Doc(2, "");
  b.question = "cherry durian";
  b.answer = "apple banana";
  auto terms_of_row = [](const Embeddings& e, int row) {
    std::vector<std::string> terms;
    const SparseMatrixView m = e.matrix();
    for (int32_t k = m.outerIndexPtr()[row]; k < m.outerIndexPtr()[row + 1]; ++k) {
      terms.emplace_back(e.terms()[static_cast<size_t>(m.innerIndexPtr()[k])]);
    }
    return terms;
  };
  // The default: every field but the answer.
  Embeddings e = Embeddings::Build({a, b}, o);
  EXPECT_EQ(terms_of_row(e, 0),
            (std::vector<std::string>{"apple", "apple_banana", "banana", "cherry", "durian"}));
  EXPECT_EQ(terms_of_row(e, 1),
            (std::vector<std::string>{"apple", "banana", "cherry", "cherry_durian", "durian"}));
  // The answer alone: each article's other pair.
  o.fields.bigram_fields = FieldBit(Field::kAnswer);
  e = Embeddings::Build({a, b}, o);
  EXPECT_EQ(terms_of_row(e, 0),
            (std::vector<std::string>{"apple", "banana", "cherry", "cherry_durian", "durian"}));
  EXPECT_EQ(terms_of_row(e, 1),
            (std::vector<std::string>{"apple", "apple_banana", "banana", "cherry", "durian"}));
  // A draft is embedded by the same rule.
  Article draft = Doc(0, "");
  draft.question = "apple banana";
  EXPECT_EQ(e.Embed(draft).nonZeros(), 2);
  draft.answer = "apple banana";
  EXPECT_EQ(e.Embed(draft).nonZeros(), 3);
  // No field: no bigrams at all.
  o.fields.bigram_fields = 0;
  EXPECT_EQ(Embeddings::Build({a, b}, o).terms().ToStrings(),
            (std::vector<std::string>{"apple", "banana", "cherry", "durian"}));
}

TEST(TfidfTest, FieldSetsParseAndPrintByName) {
  EXPECT_EQ(*ParseFieldSet("title, question+keywords"),
            FieldBit(Field::kTitle) | FieldBit(Field::kQuestion) | FieldBit(Field::kKeywords));
  EXPECT_EQ(*ParseFieldSet(""), 0u);
  EXPECT_EQ(FieldSetText(kAllFields), "title,question,answer,keywords,description,subject");
  EXPECT_EQ(*ParseFieldSet(FieldSetText(kAllFields)), kAllFields);
  EXPECT_EQ(ParseFieldSet("title,tilte").status().message(),
            "unknown field 'tilte' (fields: title, question, answer, keywords, description, subject)");
  EXPECT_EQ(ParseFieldSet("answer answer").status().message(), "field 'answer' named twice");
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

// Title "apple" (weight 2) and question "apple apple cherry" (weight 1), among
// "apple banana" and "banana durian": the df and idf of ThreeDocs(),
// idf(apple) = 1.2876821, idf(cherry) = 1.6931472.
std::vector<Article> TwoFieldDocs() {
  Article a = Doc(1, "apple");
  a.question = "apple apple cherry";
  return {Doc(9, "apple banana"), a, Doc(3, "banana durian")};
}

TEST(TfidfTest, CountsModePoolsWeightedCountsBeforeTf) {
  EmbeddingOptions o = PlainOptions();
  o.fields.title = 2.0;
  const Embeddings e = Embeddings::Build(TwoFieldDocs(), o);
  // apple: count 2 * 1 + 2 = 4, (1 + ln 4) * 1.2876821 = 3.0727885; cherry 1.6931472;
  // norm 3.5083866 -> 0.8758409, 0.4825999.
  EXPECT_NEAR(e.matrix().coeff(1, 0), 0.8758409, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(1, 2), 0.4825999, 1e-6);
}

TEST(TfidfTest, FieldTfModeWeighsEachFieldsTf) {
  EmbeddingOptions o = PlainOptions();
  o.fields.combine = FieldCombination::kFieldTf;
  o.fields.title = 2.0;
  const Embeddings e = Embeddings::Build(TwoFieldDocs(), o);
  // apple: (2 * 1 + 1 * (1 + ln 2)) * 1.2876821 = 4.7555994; cherry 1.6931472;
  // norm 5.0480168 -> 0.9420728, 0.3354084.
  EXPECT_NEAR(e.matrix().coeff(1, 0), 0.9420728, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(1, 2), 0.3354084, 1e-6);
}

TEST(TfidfTest, FieldVectorsModeAddsNormalisedFieldVectors) {
  EmbeddingOptions o = PlainOptions();
  o.fields.combine = FieldCombination::kFieldVectors;
  o.fields.title = 2.0;
  const Embeddings e = Embeddings::Build(TwoFieldDocs(), o);
  // Title unit vector: apple 1. Question: apple (1 + ln 2) * 1.2876821 = 2.1802353,
  // cherry 1.6931472, norm 2.7604661 -> 0.7898069, 0.6133555.
  // 2 * title + question: apple 2.7898069, cherry 0.6133555; norm 2.8564362
  // -> 0.9766740, 0.2147275.
  EXPECT_NEAR(e.matrix().coeff(1, 0), 0.9766740, 1e-6);
  EXPECT_NEAR(e.matrix().coeff(1, 2), 0.2147275, 1e-6);
}

TEST(TfidfTest, FieldVectorsLetAShortTitleOutweighALongAnswer) {
  // The title's share does not shrink as the answer grows: with weights 1 and 1
  // the title term keeps at least 1/sqrt(2) of the (pre-normalisation) mass.
  EmbeddingOptions o = PlainOptions();
  o.fields.combine = FieldCombination::kFieldVectors;
  Article a = Doc(1, "apple");
  for (int i = 0; i < 50; ++i) {
    // (Appended piece by piece: GCC 12 at -O3 warns, wrongly, of overlap in "w" + std::string.)
    a.answer += "w";
    a.answer += std::to_string(i);
    a.answer += " ";
  }
  const Embeddings e = Embeddings::Build({a, Doc(2, "banana")}, o);
  // Title unit vector (apple 1) + answer unit vector (50 terms of equal idf, 1/sqrt(50) each):
  // norm sqrt(1 + 1) = sqrt(2), so apple = 1/sqrt(2) = 0.7071068.
  EXPECT_NEAR(e.matrix().coeff(0, 0), 0.7071068, 1e-6);
  // Pooled counts give apple the same weight as each answer term: 1/sqrt(51).
  o.fields.combine = FieldCombination::kCounts;
  EXPECT_NEAR(Embeddings::Build({a, Doc(2, "banana")}, o).matrix().coeff(0, 0), 0.1400280, 1e-6);
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

// Each field's text with its weight, in field order.
std::array<std::pair<const std::string*, double>, 6> FieldsOf(const Article& a,
                                                              const FieldWeights& w) {
  return {{{&a.title, w.title}, {&a.question, w.question}, {&a.answer, w.answer},
           {&a.keywords, w.keywords}, {&a.description, w.description}, {&a.subject, w.subject}}};
}

// Counts every corpus's bigrams as a large one's: through a sketch.
constexpr BuildMethod kThroughSketch{.sort_pairs_up_to = 0};

// Checks `e`, built from `articles` under `o`, against a plain
// single-threaded count: vocabulary (min_df, bigram_min_df, max_df),
// idf, and each row exactly what Embed() gives the article.
void ExpectBruteForceModel(const std::vector<Article>& articles, const EmbeddingOptions& o,
                           const Embeddings& e) {
  const Analyzer analyzer(o.analyzer);
  const FieldWeights& w = o.fields;
  std::map<std::string, int> df;
  for (const Article& a : articles) {
    std::set<std::string> seen;
    int f = 0;
    for (const auto& [text, weight] : FieldsOf(a, w)) {
      const bool bigrams = (w.bigram_fields >> f++ & 1) != 0;
      if (weight <= 0) continue;
      std::vector<std::string> terms;
      analyzer.Analyze(*text, &terms);
      // A field outside fields.bigram_fields gives its words only.
      for (const std::string& t : terms) {
        if (bigrams || !IsBigram(t)) seen.insert(t);
      }
    }
    for (const std::string& t : seen) ++df[t];
  }
  const double n = static_cast<double>(articles.size());
  std::vector<std::string> expected_terms;
  for (const auto& [term, d] : df) {
    const int min_df = IsBigram(term) ? std::max(o.tfidf.min_df, o.tfidf.bigram_min_df)
                                      : o.tfidf.min_df;
    if (d >= min_df && d <= o.tfidf.max_df * n) expected_terms.push_back(term);
  }
  ASSERT_EQ(e.terms().ToStrings(), expected_terms);
  for (size_t j = 0; j < expected_terms.size(); ++j) {
    const double d = df[expected_terms[j]];
    ASSERT_FLOAT_EQ(e.idf()[j], static_cast<float>(std::log((1 + n) / (1 + d)) + 1)) << j;
  }
  // Each row's values from the terms' counts, per field, in plain doubles
  // (field vectors: each field's tf-idf vector normalised, weighted, summed,
  // then the sum normalised), independently of how Build counts and sorts.
  if (o.fields.combine == FieldCombination::kFieldVectors) {
    const SparseMatrixView m = e.matrix();
    for (size_t i = 0; i < articles.size(); ++i) {
      const Article& a = articles[i];
      std::map<int32_t, double> row;
      int f = 0;
      for (const auto& [text, weight] : FieldsOf(a, w)) {
        const bool bigrams = (w.bigram_fields >> f++ & 1) != 0;
        if (weight <= 0) continue;
        std::vector<std::string> terms;
        analyzer.Analyze(*text, &terms);
        std::map<int32_t, int> count;
        for (const std::string& t : terms) {
          if (!bigrams && IsBigram(t)) continue;
          if (const int32_t col = e.terms().Find(t); col >= 0) ++count[col];
        }
        std::map<int32_t, double> field;
        double norm2 = 0;
        for (const auto& [col, c] : count) {
          const double tf = c > 1 ? 1 + std::log(c) : c;
          const std::string term(e.terms()[static_cast<size_t>(col)]);
          const double x = tf * e.idf()[col] * (IsBigram(term) ? o.tfidf.bigram_weight : 1.0);
          field[col] = x;
          norm2 += x * x;
        }
        for (const auto& [col, x] : field) row[col] += weight * x / std::sqrt(norm2);
      }
      double norm2 = 0;
      for (const auto& [col, x] : row) norm2 += x * x;
      const int32_t begin = m.outerIndexPtr()[i], end = m.outerIndexPtr()[i + 1];
      ASSERT_EQ(static_cast<size_t>(end - begin), row.size()) << i;
      int32_t k = begin;
      for (const auto& [col, x] : row) {
        ASSERT_EQ(m.innerIndexPtr()[k], col) << i;
        ASSERT_NEAR(m.valuePtr()[k], x / std::sqrt(norm2), 1e-6) << i << " " << col;
        ++k;
      }
    }
  }
  for (size_t i = 0; i < articles.size(); ++i) {
    const SparseVector v = e.Embed(articles[i]);
    const SparseMatrixView m = e.matrix();
    const int32_t begin = m.outerIndexPtr()[i], end = m.outerIndexPtr()[i + 1];
    ASSERT_EQ(v.nonZeros(), end - begin) << i;
    for (int32_t k = 0; k < end - begin; ++k) {
      ASSERT_EQ(v.innerIndexPtr()[k], m.innerIndexPtr()[begin + k]) << i;
      ASSERT_EQ(v.valuePtr()[k], m.valuePtr()[begin + k]) << i;  // bit-identical
    }
  }
}

// Enough articles for Build to analyse them on several threads: the merged
// vocabulary, document frequencies and rows must be those of a plain
// single-threaded count, and each row exactly what Embed() gives the article.
TEST(TfidfTest, ParallelBuildMatchesBruteForceCountsAndEmbed) {
  GeneratorOptions g;
  g.n = 700;
  g.seed = 3;
  const std::vector<Article> articles = testing_util::GeneratedArticles(g);
  // The defaults: bigrams (not from the answer), bigram_min_df 2, field vectors.
  const EmbeddingOptions o;
  const Embeddings e = Embeddings::Build(articles, o);
  ExpectBruteForceModel(articles, o, e);
  // This corpus's bigrams are counted by sorting them; through the sketch
  // (no bigram count is small enough to sort) the model is the same.
  ExpectBruteForceModel(articles, o, Embeddings::Build(articles, o, kThroughSketch));
  // Bigrams from every field, and from the answer alone.
  for (const FieldSet fields : {kAllFields, FieldBit(Field::kAnswer)}) {
    SCOPED_TRACE(testing::Message() << "bigram fields " << FieldSetText(fields));
    EmbeddingOptions other = o;
    other.fields.bigram_fields = fields;
    const Embeddings built = Embeddings::Build(articles, other);
    ExpectBruteForceModel(articles, other, built);
    EXPECT_NE(built.terms().size(), e.terms().size());
  }

  // Building from a vector it may consume gives the same model and frees
  // every string of the articles, keeping their ids.
  std::vector<Article> consumed = articles;
  const Embeddings f = Embeddings::BuildConsuming(&consumed, o);
  ASSERT_EQ(f.terms().ToStrings(), e.terms().ToStrings());
  const SparseMatrixView a = e.matrix(), b = f.matrix();
  ASSERT_EQ(a.nonZeros(), b.nonZeros());
  for (int64_t k = 0; k < a.nonZeros(); ++k) {
    ASSERT_EQ(a.innerIndexPtr()[k], b.innerIndexPtr()[k]);
    ASSERT_EQ(a.valuePtr()[k], b.valuePtr()[k]);
  }
  for (size_t i = 0; i < articles.size(); ++i) {
    EXPECT_TRUE(consumed[i].question.empty() && consumed[i].answer.empty() &&
                consumed[i].keywords.empty() && consumed[i].description.empty());
    // Freed, not just emptied: an emptied std::string may keep its buffer.
    const size_t none = std::string().capacity();
    EXPECT_EQ(consumed[i].question.capacity(), none);
    EXPECT_EQ(consumed[i].answer.capacity(), none);
    EXPECT_EQ(consumed[i].keywords.capacity(), none);
    EXPECT_EQ(consumed[i].description.capacity(), none);
    EXPECT_EQ(consumed[i].title.capacity(), none);
    EXPECT_EQ(consumed[i].path.capacity(), none);
    EXPECT_EQ(consumed[i].url.capacity(), none);
    EXPECT_TRUE(consumed[i].subject.empty() && consumed[i].related.empty());
    EXPECT_EQ(consumed[i].id, articles[i].id);
  }
  EXPECT_FALSE(articles[3].answer.empty());
}

// Bigram document frequencies are counted either by sorting every article's
// bigrams or, in a large corpus, through a sketch that saturates at 3 before
// the exact count: both ways, thresholds below, at and above that, every
// field weighted, and a max_df that drops common words whose bigrams stay.
TEST(TfidfTest, BigramPruningMatchesBruteForceAtEveryThreshold) {
  GeneratorOptions g;
  g.n = 300;
  g.seed = 5;
  const std::vector<Article> articles = testing_util::GeneratedArticles(g);
  for (const BuildMethod& method : {BuildMethod(), kThroughSketch}) {
    for (const int bigram_min_df : {1, 2, 3, 5}) {
      SCOPED_TRACE(testing::Message() << "bigram_min_df " << bigram_min_df << ", sorted up to "
                                      << method.sort_pairs_up_to);
      EmbeddingOptions o;
      o.tfidf.bigram_min_df = bigram_min_df;
      o.fields.description = 0.25;
      o.fields.subject = 0.25;
      ExpectBruteForceModel(articles, o, Embeddings::Build(articles, o, method));
      if (bigram_min_df == 2) {
        o.tfidf.max_df = 0.2;
        const Embeddings e = Embeddings::Build(articles, o, method);
        ExpectBruteForceModel(articles, o, e);
        // The case meant: a bigram of two words too common to be terms themselves.
        bool found = false;
        for (const std::string& t : e.terms().ToStrings()) {
          const size_t cut = t.find('_');
          if (cut != std::string::npos && e.terms().Find(t.substr(0, cut)) < 0 &&
              e.terms().Find(t.substr(cut + 1)) < 0) {
            found = true;
          }
        }
        EXPECT_TRUE(found);
      }
    }
  }
}

}  // namespace
}  // namespace seealso
