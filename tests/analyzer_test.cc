// Each analysis rule checked on exact token lists.
#include "embeddings/analyzer.h"

#include <random>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso {
namespace {

using ::testing::ElementsAre;

// Only the steps a test names are on.
AnalyzerOptions Bare() {
  AnalyzerOptions o;
  o.strip_markup = false;
  o.normalize = false;
  o.fold_accents = false;
  o.min_length = 1;
  o.remove_stopwords = false;
  o.stem = false;
  o.bigrams = false;
  return o;
}

std::vector<std::string> Terms(absl::string_view text, const AnalyzerOptions& o) {
  std::vector<std::string> terms;
  Analyzer(o).Analyze(text, &terms);
  return terms;
}

TEST(AnalyzerTest, TokensKeepTechnicalNames) {
  EXPECT_THAT(Terms("c++ and c# beat f#x", Bare()), ElementsAre("c++", "and", "c#", "beat", "f", "x"));
  EXPECT_THAT(Terms("16p11.2 deletion, covid-19; pi is 3.14.", Bare()),
              ElementsAre("16p11.2", "deletion", "covid-19", "pi", "is", "3.14"));
  EXPECT_THAT(Terms("o(n log n) time", Bare()), ElementsAre("o", "n", "log", "n", "time"));
  EXPECT_THAT(Terms("don't split node.js", Bare()), ElementsAre("don't", "split", "node.js"));
  // A hyphen between letters separates; "++" followed by a word character is no suffix.
  EXPECT_THAT(Terms("feature-request a++b -x- end.", Bare()),
              ElementsAre("feature", "request", "a", "b", "x", "end"));
}

TEST(AnalyzerTest, NormalizationFoldsCaseWidthAndQuotes) {
  AnalyzerOptions o = Bare();
  o.normalize = true;
  // Fullwidth "ＡＢＣ" is NFKC "ABC"; "Straße" case-folds to "strasse"; "’" lumps to "'";
  // the ligature "ﬁ" is "fi"; a soft hyphen (U+00AD) is ignorable.
  EXPECT_THAT(Terms("ＡＢＣ Straße Don’t ﬁle co\u00ADop", o),
              ElementsAre("abc", "strasse", "don't", "file", "coop"));
  EXPECT_THAT(Terms("Naïve café", o), ElementsAre("naïve", "café"));
  o.fold_accents = true;
  EXPECT_THAT(Terms("Naïve café", o), ElementsAre("naive", "cafe"));
  EXPECT_THAT(Terms("Naïve", Bare()), ElementsAre("Naïve"));
}

TEST(AnalyzerTest, MarkupResidueIsStripped) {
  AnalyzerOptions o = Bare();
  o.strip_markup = true;
  EXPECT_THAT(Terms("ways:\\n\\n1. **Bold** and __under__ `code`\\n2) ## Head", o),
              ElementsAre("ways", "Bold", "and", "under", "code", "Head"));
  EXPECT_THAT(Terms("<p>Tom&nbsp;&amp;&#74;&#x65;rry</p> <br/>x", o),
              ElementsAre("Tom", "Jerry", "x"));
  EXPECT_THAT(Terms("see https://example.com/a-b?c=1 and www.x.org now", o),
              ElementsAre("see", "and", "now"));
  // Not list numbers: a number after a word, a decimal, a number without a following space.
  EXPECT_THAT(Terms("costs 10. Then 2.5 and 3.x", o),
              ElementsAre("costs", "10", "Then", "2.5", "and", "3.x"));
  // A '<' that opens no tag, an unknown entity, and "&" alone.
  EXPECT_THAT(Terms("a < b > c &bogus; d & e", o), ElementsAre("a", "b", "c", "d", "e"));
  // Without strip_markup the residue turns into tokens.
  EXPECT_THAT(Terms("1. &nbsp;x", Bare()), ElementsAre("1", "nbsp", "x"));
}

TEST(AnalyzerTest, MinLengthCountsCodePoints) {
  AnalyzerOptions o = Bare();
  o.min_length = 2;
  EXPECT_THAT(Terms("a ab é éa c#", o), ElementsAre("ab", "éa", "c#"));
}

TEST(AnalyzerTest, StopwordsAndStemming) {
  AnalyzerOptions o = Bare();
  o.remove_stopwords = true;
  EXPECT_THAT(Terms("the running of the dogs can't stop also", o),
              ElementsAre("running", "dogs", "stop"));
  o.stem = true;
  EXPECT_THAT(Terms("the running of the dogs connected generously", o),
              ElementsAre("run", "dog", "connect", "generous"));
  EXPECT_TRUE(IsStopword("the"));
  EXPECT_FALSE(IsStopword("theory"));
}

TEST(AnalyzerTest, BigramsJoinAdjacentKeptTerms) {
  AnalyzerOptions o = Bare();
  o.remove_stopwords = true;
  o.bigrams = true;
  // No bigram across the stopword "of" or across the comma.
  EXPECT_THAT(Terms("graph theory of random walks, fast mixing", o),
              ElementsAre("graph", "theory", "random", "walks", "fast", "mixing", "graph_theory",
                          "random_walks", "fast_mixing"));
  o.stem = true;
  EXPECT_THAT(Terms("feature-requests", o), ElementsAre("featur", "request", "featur_request"));
}

TEST(AnalyzerTest, AnalyzeWordsMarksWhichNeighboursFormBigrams) {
  AnalyzerOptions o = Bare();
  o.remove_stopwords = true;
  o.bigrams = true;
  const Analyzer analyzer(o);
  std::vector<std::string> words = {"left", "over"};
  std::vector<uint8_t> joins = {1};
  analyzer.AnalyzeWords("graph theory of random walks, fast mixing", &words, &joins);
  EXPECT_THAT(words, ElementsAre("graph", "theory", "random", "walks", "fast", "mixing"));
  EXPECT_THAT(joins, ElementsAre(0, 1, 0, 1, 0, 1));
  o.bigrams = false;
  Analyzer(o).AnalyzeWords("graph theory", &words, &joins);
  EXPECT_THAT(words, ElementsAre("graph", "theory"));
  EXPECT_THAT(joins, ElementsAre(0, 0));
}

// ForEachWord: the words of AnalyzeWords, and a memo per spelling that lasts
// for its generation on this thread (an indexer's word numbers).
TEST(AnalyzerTest, ForEachWordRemembersAMemoPerSpellingAndGeneration) {
  AnalyzerOptions o;  // the defaults: stemming on, so spellings are cached
  const Analyzer analyzer(o);
  const std::string text = "Cats chase cats; the cat chased mice. Mice!";
  std::vector<std::string> words;
  std::vector<uint8_t> joins;
  analyzer.AnalyzeWords(text, &words, &joins);
  const uint64_t gen = Analyzer::NewMemoGeneration();
  EXPECT_NE(Analyzer::NewMemoGeneration(), gen);
  std::vector<std::string> seen;
  std::vector<uint8_t> seen_joins;
  std::vector<int32_t> memos;
  int32_t next = 100;
  analyzer.ForEachWord(text, gen, [&](absl::string_view w, bool j, int32_t* memo) {
    seen.emplace_back(w);
    seen_joins.push_back(j);
    memos.push_back(*memo);
    if (*memo < 0) *memo = next++;
  });
  EXPECT_EQ(seen, words);
  EXPECT_EQ(seen_joins, joins);
  // cats, chase, cats (remembered), cat (another spelling), chased, mice, mice (case folded).
  ASSERT_EQ(seen, (std::vector<std::string>{"cat", "chase", "cat", "cat", "chase", "mice", "mice"}));
  EXPECT_EQ(memos, (std::vector<int32_t>{-1, -1, 100, -1, -1, -1, 104}));
  // The same generation again: every spelling remembered.
  memos.clear();
  analyzer.ForEachWord(text, gen, [&](absl::string_view, bool, int32_t* memo) { memos.push_back(*memo); });
  EXPECT_EQ(memos, (std::vector<int32_t>{100, 101, 100, 102, 103, 104, 104}));
  // Another generation starts afresh (then remembers its own); generation 0
  // never remembers.
  auto memos_setting_7 = [&](uint64_t generation) {
    std::vector<int32_t> got;
    analyzer.ForEachWord(text, generation, [&](absl::string_view, bool, int32_t* memo) {
      got.push_back(*memo);
      *memo = 7;
    });
    return got;
  };
  EXPECT_EQ(memos_setting_7(Analyzer::NewMemoGeneration()),
            (std::vector<int32_t>{-1, -1, 7, -1, -1, -1, 7}));
  EXPECT_EQ(memos_setting_7(0), (std::vector<int32_t>(7, -1)));
  EXPECT_EQ(memos_setting_7(0), (std::vector<int32_t>(7, -1)));
}

// The ASCII fast path of normalisation must agree with utf8proc on every
// ASCII character, alone and next to a non-ASCII one (the slow path).
TEST(AnalyzerTest, AsciiNormalizationAgreesWithTheUnicodePath) {
  AnalyzerOptions o = Bare();
  o.normalize = true;
  for (int c = 1; c < 128; ++c) {
    const std::string ascii = std::string("x") + static_cast<char>(c) + "Y";
    const std::string mixed = ascii + " \xc3\xa9";  // + " é": not all ASCII
    std::vector<std::string> fast = Terms(ascii, o);
    std::vector<std::string> slow = Terms(mixed, o);
    ASSERT_FALSE(slow.empty());
    ASSERT_EQ(slow.back(), "\xc3\xa9");
    slow.pop_back();
    EXPECT_EQ(fast, slow) << "character " << c;
  }
}

// ASCII text is tokenized as bytes, other text as code points. Appending a
// no-break space (a separator after NFKC, and not a phrase break) sends a
// text down the code point path without changing its words or bigrams, so
// the two paths must agree on every text, under every option.
TEST(AnalyzerTest, ByteTokenizerAgreesWithTheCodePointPath) {
  const std::string alphabet = "aAbBcHhWwxyz019 .,'-+#&;<>/\\n*_()!:?|\"@$%=~`[]{}";
  const std::vector<std::string> pieces = {"http://a.b/c ", "www.x.org", "&nbsp;", "&amp;",
                                            "&#39;", "<b>", "</p>", "1. ", "2) ", "c++",
                                            "c#", "16p11.2", "covid-19", "don't", "the ",
                                            "running ", "is ", "\\n", "3.14", "node.js"};
  std::mt19937 rng(20261129);
  std::vector<std::string> texts;
  for (int i = 0; i < 400; ++i) {
    std::string text;
    const int parts = 1 + static_cast<int>(rng() % 24);
    for (int k = 0; k < parts; ++k) {
      if (rng() % 3 == 0) {
        text += pieces[rng() % pieces.size()];
      } else {
        text += alphabet[rng() % alphabet.size()];
      }
    }
    texts.push_back(text);
  }
  int differing = 0;
  for (int bits = 0; bits < 32; ++bits) {
    AnalyzerOptions o = Bare();
    o.strip_markup = (bits & 1) != 0;
    o.normalize = (bits & 2) != 0;
    o.remove_stopwords = (bits & 4) != 0;
    o.stem = (bits & 8) != 0;
    o.bigrams = (bits & 16) != 0;
    o.fold_accents = o.normalize;
    o.min_length = bits % 3 == 0 ? 2 : 1;
    const Analyzer analyzer(o);
    for (const std::string& text : texts) {
      std::vector<std::string> bytes, code_points;
      std::vector<uint8_t> bytes_joins, code_point_joins;
      analyzer.AnalyzeWords(text, &bytes, &bytes_joins);
      analyzer.AnalyzeWords(text + "\xc2\xa0", &code_points, &code_point_joins);
      EXPECT_EQ(bytes, code_points) << "options " << bits << ", text: " << text;
      EXPECT_EQ(bytes_joins, code_point_joins) << "options " << bits << ", text: " << text;
      differing += bytes != code_points || bytes_joins != code_point_joins;
      if (differing > 5) return;
    }
  }
}

TEST(AnalyzerTest, InvalidUtf8BytesSeparate) {
  EXPECT_THAT(Terms("ab\xff" "cd", Bare()), ElementsAre("ab", "cd"));
  AnalyzerOptions o = Bare();
  o.normalize = true;
  EXPECT_THAT(Terms("AB\xc3" "CD", o), ElementsAre("ab", "cd"));
}

TEST(AnalyzerTest, StemmingIsSafeAcrossThreads) {
  AnalyzerOptions o = Bare();
  o.normalize = o.remove_stopwords = o.stem = true;
  const Analyzer analyzer(o);
  std::vector<std::vector<std::string>> out(4);
  std::vector<std::thread> threads;
  for (auto& terms : out) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        terms.clear();
        analyzer.Analyze("Connected graphs and running algorithms", &terms);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& terms : out) EXPECT_THAT(terms, ElementsAre("connect", "graph", "run", "algorithm"));
}

}  // namespace
}  // namespace seealso
