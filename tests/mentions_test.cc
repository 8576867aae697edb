// Title mentions: which titles a text names, and the symmetric graph.
#include "embeddings/mentions.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

StringColumn Column(const std::vector<std::string>& strings) {
  StringColumnBuilder b;
  for (const std::string& s : strings) b.Add(s);
  return b.Finish();
}

Article Doc(int64_t id, std::string title, std::string question, std::string answer = "") {
  Article a;
  a.id = id;
  a.title = std::move(title);
  a.question = std::move(question);
  a.answer = std::move(answer);
  return a;
}

std::vector<int32_t> Linked(const Mentions& m, int32_t d) {
  const absl::Span<const int32_t> s = m.of(d);
  return std::vector<int32_t>(s.begin(), s.end());
}

TEST(TitleMatcherTest, FindsWholeTitlesWhateverTheCaseAndPunctuation) {
  const TitleMatcher matcher(Column({"How to ask a good question?", "Bounty system",
                                     "Community Promotion Ads - 2013", "C++ move semantics"}),
                             3);
  EXPECT_THAT(matcher.Find("Please read HOW TO ASK a good question, first."), ElementsAre(0));
  // Punctuation and the literal "\n" of exported text separate words.
  EXPECT_THAT(matcher.Find("see how-to-ask a good\\nquestion"), ElementsAre(0));
  EXPECT_THAT(matcher.Find("[community promotion ads 2013](/q/1) and c move semantics"),
              ElementsAre(2, 3));
  // Two words only: too short a title to be looked for.
  EXPECT_THAT(matcher.Find("the bounty system is broken"), IsEmpty());
  // Words must be consecutive and whole.
  EXPECT_THAT(matcher.Find("how to ask a very good question"), IsEmpty());
  EXPECT_THAT(matcher.Find("how to ask a good questions"), IsEmpty());
  EXPECT_THAT(matcher.Find("xhow to ask a good question"), IsEmpty());
  // Several texts (a draft's fields): each is searched on its own.
  EXPECT_THAT(matcher.Find({"how to ask a", "good question"}), IsEmpty());
  EXPECT_THAT(matcher.Find({"c move semantics", "x", "how to ask a good question"}),
              ElementsAre(0, 3));
}

// The words of `text` as TitleMatcher defines them, spelled out byte by byte.
std::vector<std::string> ReferenceWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i <= text.size(); ++i) {
    const auto c = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
    const bool after_backslash = i > 0 && text[i - 1] == '\\';
    const bool is_word = c >= 0x80 || absl::ascii_isalnum(c);
    if (is_word && !(c == 'n' && after_backslash)) {
      word.push_back(static_cast<char>(absl::ascii_tolower(c)));
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

// Random texts of a few hundred bytes (words crossing the scanner's 64-byte
// blocks, "\n", upper case, non-ASCII bytes, punctuation runs): the titles
// found are exactly those whose words appear consecutively.
TEST(TitleMatcherTest, MatchesAWordByWordReferenceOnRandomText) {
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {
      "ab", "AB", "abcdefgh", "abcdefghij", "Xy9", "n", "\\n", "\\", "\\\\n",
      "\xc3\xa9t\xc3\xa9", " ", "  ", "-", ", ", "?", "\n", "q1"};
  int found = 0;
  for (int round = 0; round < 300; ++round) {
    auto text_of = [&](size_t pieces_wanted) {
      std::string t;
      for (size_t i = 0; i < pieces_wanted; ++i) t += pieces[rng() % pieces.size()];
      return t;
    };
    std::vector<std::string> titles;
    for (int i = 0; i < 12; ++i) titles.push_back(text_of(3 + rng() % 8));
    const std::string text = text_of(rng() % 200);
    StringColumnBuilder column;
    for (const std::string& t : titles) column.Add(t);
    const int min_words = 1 + static_cast<int>(rng() % 3);
    const TitleMatcher matcher(column.Finish(), min_words);
    std::vector<int32_t> want;
    const std::vector<std::string> words = ReferenceWords(text);
    for (size_t d = 0; d < titles.size(); ++d) {
      const std::vector<std::string> title = ReferenceWords(titles[d]);
      if (title.size() < static_cast<size_t>(min_words) || title.size() > 64) continue;
      if (std::search(words.begin(), words.end(), title.begin(), title.end()) != words.end()) {
        want.push_back(static_cast<int32_t>(d));
      }
    }
    EXPECT_EQ(matcher.Find(text), want) << "round " << round << ": " << text;
    found += static_cast<int>(want.size());
  }
  EXPECT_GT(found, 100);
}

TEST(TitleMatcherTest, FindsOverlappingAndNestedTitlesOnce) {
  const TitleMatcher matcher(
      Column({"graph coloring algorithms", "graph coloring algorithms survey",
              "algorithms survey paper", "Graph Coloring Algorithms"}),
      3);
  // Both spellings of the first title, the longer title starting at the same
  // word, and one overlapping it; each document once, sorted.
  EXPECT_THAT(
      matcher.Find("a graph coloring algorithms survey paper, and graph coloring algorithms"),
      ElementsAre(0, 1, 2, 3));
}

TEST(TitleMatcherTest, IgnoredAndOverlongTitlesAreNotLookedFor) {
  std::string long_title;
  for (int i = 0; i < 65; ++i) absl::StrAppend(&long_title, "w", i, " ");
  const std::vector<int32_t> ignored = {1};
  const TitleMatcher matcher(Column({"red green blue", "one two three", long_title}), 3, ignored);
  EXPECT_THAT(matcher.Find("red green blue one two three " + long_title), ElementsAre(0));
  EXPECT_TRUE(TitleMatcher(Column({"red green blue"}), 0).empty());
  EXPECT_TRUE(TitleMatcher(Column({"red green"}), 3).empty());
}

TEST(MentionsTest, LinksBothWaysFromQuestionOrAnswerOnly) {
  const std::vector<Article> articles = {
      Doc(10, "Graph coloring algorithms", "Which graph coloring heuristics work?"),
      Doc(20, "Greedy coloring order", "Is this like graph coloring algorithms? greedy"),
      Doc(30, "Tree decompositions explained", "", "See greedy coloring order and tree widths"),
      Doc(40, "Unrelated cooking question", "How long to boil pasta?"),
  };
  // Keywords and titles are not searched.
  std::vector<Article> with_keywords = articles;
  with_keywords[3].keywords = "graph coloring algorithms";
  with_keywords[3].title = "Unrelated cooking question about greedy coloring order";
  for (const std::vector<Article>* corpus :
       {&articles, static_cast<const std::vector<Article>*>(&with_keywords)}) {
    const Mentions m = Mentions::Find(*corpus, {.min_title_words = 3, .max_df = 1.0});
    EXPECT_THAT(Linked(m, 0), ElementsAre(1));     // named by 20
    EXPECT_THAT(Linked(m, 1), ElementsAre(0, 2));  // names 10, named by 30
    EXPECT_THAT(Linked(m, 2), ElementsAre(1));
    EXPECT_THAT(Linked(m, 3), IsEmpty());
    EXPECT_EQ(m.pairs(), 2);
  }
}

TEST(MentionsTest, OwnTitleAndPairsFoundBothWaysCountOnce) {
  const Mentions m = Mentions::Find(
      {Doc(1, "red green blue", "red green blue, and yellow purple orange"),
       Doc(2, "yellow purple orange", "not red green blue; yellow purple orange again")},
      {.min_title_words = 3, .max_df = 1.0});
  EXPECT_THAT(Linked(m, 0), ElementsAre(1));
  EXPECT_THAT(Linked(m, 1), ElementsAre(0));
  EXPECT_EQ(m.pairs(), 1);
}

TEST(MentionsTest, TitlesFoundInTooManyArticlesCountForNone) {
  std::vector<Article> articles = {Doc(0, "Computer Science Stack Exchange", "welcome"),
                                   Doc(1, "Ask about proofs here", ""),
                                   Doc(2, "Bounty rules for everyone", "")};
  // Of 104 articles, 8 name the first title, 4 the third, 2 the second.
  for (int i = 3; i < 104; ++i) {
    articles.push_back(
        Doc(i, absl::StrCat("topic ", i), i < 11 ? "on computer science stack exchange" : ""));
  }
  articles[50].answer = "ask about proofs here";
  articles[51].answer = "ask about proofs here";
  for (int i = 60; i < 64; ++i)
    articles[static_cast<size_t>(i)].answer = "bounty rules for everyone";
  // At most max(5, 0.03 * 104 = 3.12) = 5 articles may name a title: the
  // floor keeps a small site's few popular titles.
  const Mentions m = Mentions::Find(articles, {.min_title_words = 3, .max_df = 0.03});
  EXPECT_THAT(Linked(m, 0), IsEmpty());
  EXPECT_THAT(Linked(m, 1), ElementsAre(50, 51));
  EXPECT_THAT(Linked(m, 2), ElementsAre(60, 61, 62, 63));
  EXPECT_THAT(Linked(m, 3), IsEmpty());
  EXPECT_THAT(m.ignored().span(), ElementsAre(0));
  // With a higher ceiling (8.32) it counts.
  const Mentions all = Mentions::Find(articles, {.min_title_words = 3, .max_df = 0.08});
  EXPECT_THAT(Linked(all, 0), ElementsAre(3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_THAT(all.ignored().span(), IsEmpty());
}

TEST(MentionsTest, OffFindsNothing) {
  const std::vector<Article> articles = {Doc(1, "red green blue", ""),
                                         Doc(2, "x", "red green blue")};
  const Mentions m = Mentions::Find(articles, {.min_title_words = 0});
  EXPECT_THAT(Linked(m, 0), IsEmpty());
  EXPECT_TRUE(m.start().empty());
  EXPECT_THAT(Linked(Mentions::Find(articles, {.min_title_words = 3, .max_df = 1.0}), 0),
              ElementsAre(1));
}

TEST(MentionsTest, FromPartsChecksEveryList) {
  auto parts = [](std::vector<int64_t> start, std::vector<int32_t> doc,
                  std::vector<int32_t> ignored = {}) {
    return Mentions::FromParts(3, FrozenArray<int64_t>(std::move(start)),
                               FrozenArray<int32_t>(std::move(doc)),
                               FrozenArray<int32_t>(std::move(ignored)));
  };
  absl::StatusOr<Mentions> ok = parts({0, 1, 3, 4}, {1, 0, 2, 1}, {0, 2});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_THAT(Linked(*ok, 1), ElementsAre(0, 2));
  EXPECT_TRUE(parts({}, {}).ok());
  EXPECT_THAT(parts({0, 1, 2}, {1, 0}).status().message(), HasSubstr("do not span"));
  EXPECT_THAT(parts({0, 2, 1, 2}, {1, 2}).status().message(), HasSubstr("decrease"));
  EXPECT_THAT(parts({0, 1, 1, 1}, {3}).status().message(), HasSubstr("mentions of document 0"));
  EXPECT_THAT(parts({0, 1, 1, 1}, {0}).status().message(), HasSubstr("mentions of document 0"));
  EXPECT_THAT(parts({0, 2, 2, 2}, {2, 1}).status().message(), HasSubstr("not sorted"));
  EXPECT_THAT(parts({0, 1, 1, 1}, {1}, {2, 1}).status().message(), HasSubstr("ignored"));
  EXPECT_THAT(parts({0, 1, 1, 1}, {1}, {5}).status().message(), HasSubstr("ignored"));
}

}  // namespace
}  // namespace seealso
