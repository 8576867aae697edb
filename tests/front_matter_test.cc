// Loading articles: the real example file, every malformed-input case, and
// directory loading.
#include "embeddings/front_matter.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "embeddings/corpus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/scratch_dir.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kExample[] =
    SEEALSO_SOURCE_DIR
    "/data/sample/how-does-community-service-in-healthcare-contribute-to-personal-and-"
    "professional-development-for-medical-students.md";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(FrontMatterTest, ParsesExampleArticle) {
  absl::StatusOr<Article> a = ParseArticle(ReadFile(kExample), "seed.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->id, 171811);
  EXPECT_EQ(a->title,
            "How does community service in healthcare contribute to personal and professional "
            "development for medical students?");
  EXPECT_EQ(a->subject, "Nursing");
  EXPECT_EQ(a->url,
            "/learn/nursing/questions/how-does-community-service-in-healthcare-contribute-to-"
            "personal-and-professional-development-for-medical-students");
  EXPECT_THAT(a->keywords, StartsWith("community service, healthcare, medical students"));
  EXPECT_THAT(a->description, StartsWith("Community service in healthcare plays a vital role"));
  EXPECT_THAT(a->answer, StartsWith("Community service in healthcare significantly contributes"));
  // Literal "\n" artifacts are whitespace, not text.
  EXPECT_THAT(a->answer, Not(HasSubstr("\\n")));
  EXPECT_THAT(a->answer, HasSubstr("several ways:  1. **Engagement with Diverse Populations**"));
  // The four existing links, in order, including the repeated 171810.
  ASSERT_EQ(a->related.size(), 4u);
  EXPECT_EQ(a->related[0].id, 171810);
  EXPECT_EQ(a->related[1].id, 171821);
  EXPECT_EQ(a->related[2].id, 171815);
  EXPECT_EQ(a->related[3], a->related[0]);
  EXPECT_EQ(a->related[1].subject, "Medicine");
  EXPECT_THAT(a->related[1].title, StartsWith("How do collaborative care models"));
}

TEST(FrontMatterTest, AcceptsBomAndCrlf) {
  absl::StatusOr<Article> a =
      ParseArticle("\xEF\xBB\xBF---\r\nid: 7\r\ntitle: >-\r\n    Hello\r\n---\r\nbody\r\n", "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->id, 7);
  EXPECT_EQ(a->title, "Hello");
}

TEST(FrontMatterTest, RelatedBlocksAreOrderedByNumber) {
  absl::StatusOr<Article> a = ParseArticle(
      "---\nid: 1\nrelated_article2:\n  id: 20\nrelated_article1:\n  id: 10\n"
      "related_article10:\n  id: 100\n---\n",
      "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->related.size(), 3u);
  EXPECT_EQ(a->related[0].id, 10);
  EXPECT_EQ(a->related[1].id, 20);
  EXPECT_EQ(a->related[2].id, 100);
}

// The YAML forms regen's rewritten files and hand-edited articles use.
TEST(FrontMatterTest, QuotedScalarsWithEscapes) {
  absl::StatusOr<Article> a = ParseArticle(
      "---\nid: 5\ntitle: \"Say \\\"hi\\\" to caf\\u00e9\\ttab\"\nsubject: 'it''s'\n"
      "question: \"a\\\\nb\"\nurl: \"/a: b # not a comment\"\n---\n",
      "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->title, "Say \"hi\" to caf\xC3\xA9\ttab");
  EXPECT_EQ(a->subject, "it's");
  EXPECT_EQ(a->question, "a b");  // an escaped backslash then n is the export artifact
  EXPECT_EQ(a->url, "/a: b # not a comment");
}

TEST(FrontMatterTest, LiteralAndFoldedBlockScalars) {
  absl::StatusOr<Article> a = ParseArticle(
      "---\nid: 5\nquestion: |\n  line one\n   indented\nanswer: >\n    para one\n    cont\n\n"
      "    para two\ntitle: |-\n  kept\n---\n",
      "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->question, "line one\n indented\n");
  EXPECT_EQ(a->answer, "para one cont\npara two\n");
  EXPECT_EQ(a->title, "kept");
}

TEST(FrontMatterTest, FlowStyleAndComments) {
  absl::StatusOr<Article> a = ParseArticle(
      "---\n# comment\nid: 5  # trailing\nseo: {page_keywords: \"a, b\", page_description: d}\n"
      "related_article1: {id: 3, title: [x], url: /u}\n---\n",
      "x.md");
  // A non-string title in a block is reported like a top-level one.
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(std::string(a.status().message()), StartsWith("x.md:5: `title` must be a string"));
  a = ParseArticle(
      "---\n# comment\nid: 5  # trailing\nseo: {page_keywords: \"a, b\", page_description: d}\n"
      "related_article1: {id: 3, title: t, url: /u}\n---\n",
      "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->id, 5);
  EXPECT_EQ(a->keywords, "a, b");
  EXPECT_EQ(a->description, "d");
  ASSERT_EQ(a->related.size(), 1u);
  EXPECT_EQ(a->related[0], (RelatedLink{3, "t", "", "/u"}));
}

TEST(FrontMatterTest, AnchorsAndAliasesResolve) {
  absl::StatusOr<Article> a = ParseArticle(
      "---\nid: &i 5\ntitle: &t Shared\nsubject: *t\nrelated_article1: &r\n  id: *i\n"
      "related_article2: *r\n---\n",
      "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->subject, "Shared");
  ASSERT_EQ(a->related.size(), 2u);
  EXPECT_EQ(a->related[0].id, 5);
  EXPECT_EQ(a->related[1], a->related[0]);
}

TEST(FrontMatterTest, NullsDuplicatesAndFallback) {
  absl::StatusOr<Article> a = ParseArticle(
      "---\nid: 3\ntitle: ~\narticle_title: Fallback\nsubject: \"null\"\nurl: first\n"
      "url: second\nquestion:\n---\n",
      "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->title, "Fallback");  // a null title is absent
  EXPECT_EQ(a->subject, "null");    // a quoted one is text
  EXPECT_EQ(a->url, "first");       // the first of duplicate keys wins
  EXPECT_EQ(a->question, "");
}

// yaml-cpp kept these as text; libyaml alone would reject the controls and
// read U+2028 as a line break, so they go through stand-ins.
TEST(FrontMatterTest, KeepsControlCharactersAndLineSeparators) {
  absl::StatusOr<Article> a = ParseArticle(
      "---\nid: 3\ntitle: a\x01" "b\x7F" "c\xC2\x80\nanswer: >-\n    one\xE2\x80\xA8two: x\n"
      "subject: s\xEF\xBB\xBF\n---\n",
      "x.md");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->title, "a\x01" "b\x7F" "c\xC2\x80");
  EXPECT_EQ(a->answer, "one\xE2\x80\xA8two: x");
  EXPECT_EQ(a->subject, "s\xEF\xBB\xBF");
}

// The file is checked eight bytes at a time where it is plain ASCII: a
// control byte, DEL, a non-ASCII code point or an invalid byte is still seen
// wherever it falls in such a block.
TEST(FrontMatterTest, EveryOffsetOfASpecialByteIsSeen) {
  for (int pad = 0; pad < 17; ++pad) {
    const std::string title = std::string(static_cast<size_t>(pad), 'a');
    for (const std::string special : {"\x01", "\x7F", "\xC2\x80", "\t"}) {
      absl::StatusOr<Article> a =
          ParseArticle("---\nid: 3\ntitle: '" + title + special + "b'\n---\n", "x.md");
      ASSERT_TRUE(a.ok()) << a.status() << " pad " << pad;
      EXPECT_EQ(a->title, title + special + "b") << "pad " << pad;
    }
    for (const std::string bad : {"\xFF", "\xC3\x28", "\x80"}) {
      absl::StatusOr<Article> a =
          ParseArticle("---\nid: 3\ntitle: x\nquestion: " + title + bad + "\n---\n", "x.md");
      ASSERT_FALSE(a.ok()) << "pad " << pad;
      EXPECT_EQ(a.status().message(), "x.md:4: invalid UTF-8") << "pad " << pad;
    }
  }
}

TEST(FrontMatterTest, DeepNestingIsAnErrorNotACrash) {
  const std::string text = "---\nid: 1\nx: " + std::string(5000, '[') + "\n---\n";
  absl::StatusOr<Article> a = ParseArticle(text, "x.md");
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(std::string(a.status().message()), StartsWith("x.md:3: malformed YAML"));
}

struct BadCase {
  const char* name;
  const char* text;
  const char* message;  // expected "path:line: reason" prefix
};

class BadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInputTest, ReportsFileAndLine) {
  absl::StatusOr<Article> a = ParseArticle(GetParam().text, "dir/bad.md");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), StartsWith(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    AllCases, BadInputTest,
    ::testing::Values(
        BadCase{"NoFrontMatter", "# Just markdown\n", "dir/bad.md:1: no front matter"},
        BadCase{"Empty", "", "dir/bad.md:1: no front matter"},
        BadCase{"Unclosed", "---\nid: 1\ntitle: x\n", "dir/bad.md:4: front matter is not closed"},
        BadCase{"MalformedYaml", "---\nid: 1\ntitle: [unclosed\nsubject: x\n---\n",
                "dir/bad.md:"},
        BadCase{"BadIndent", "---\nid: 1\n  title: x\n---\n", "dir/bad.md:3: malformed YAML"},
        BadCase{"MissingId", "---\ntitle: x\n---\n", "dir/bad.md:3: missing `id`"},
        BadCase{"NonIntegerId", "---\ntitle: x\nid: 12abc\n---\n",
                "dir/bad.md:3: `id` must be an integer, got '12abc'"},
        BadCase{"FloatId", "---\nid: 1.5\n---\n", "dir/bad.md:2: `id` must be an integer"},
        BadCase{"NotAMapping", "---\n- a\n- b\n---\n", "dir/bad.md:2: front matter is not a YAML"},
        BadCase{"InvalidUtf8", "---\nid: 1\ntitle: caf\xC3\x28\n---\n",
                "dir/bad.md:3: invalid UTF-8"},
        BadCase{"RelatedNotAMap", "---\nid: 1\nrelated_article1: 5\n---\n",
                "dir/bad.md:3: `related_article1` must be a mapping"},
        BadCase{"RelatedBadId", "---\nid: 1\nrelated_article1:\n    id: x\n---\n",
                "dir/bad.md:4: `id` must be an integer"},
        BadCase{"TitleIsAList", "---\nid: 1\ntitle:\n  - a\n---\n",
                "dir/bad.md:4: `title` must be a string"},
        BadCase{"TitleIsAMap", "---\nid: 1\ntitle:\n  a: b\n---\n",
                "dir/bad.md:4: `title` must be a string"},
        BadCase{"SubjectIsFlowList", "---\nid: 1\nsubject: [a, b]\n---\n",
                "dir/bad.md:3: `subject` must be a string"},
        BadCase{"IdIsAList", "---\nid: [1]\n---\n",
                "dir/bad.md:2: `id` must be an integer, got '<not a scalar>'"},
        BadCase{"MappingValueInScalar", "---\nid: 1\ntitle: x\nsubject: a: b\n---\n",
                "dir/bad.md:4: malformed YAML"},
        BadCase{"UnterminatedQuote", "---\nid: 1\ntitle: \"open\nsubject: x\n---\n",
                "dir/bad.md:5: malformed YAML: found unexpected end of stream (while scanning a "
                "quoted scalar from line 3)"},
        BadCase{"UndefinedAlias", "---\nid: 1\ntitle: *nope\n---\n",
                "dir/bad.md:3: malformed YAML: the referenced anchor is not defined: nope"},
        BadCase{"EmptyFrontMatter", "---\n---\n", "dir/bad.md:2: front matter is not a YAML"},
        BadCase{"OnlyAComment", "---\n# nothing\n---\n",
                "dir/bad.md:2: front matter is not a YAML"}),
    [](const auto& info) { return std::string(info.param.name); });

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_ / "sub"); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }
  testing::ScratchDir scratch_{"seealso_corpus"};
  const fs::path dir_ = scratch_.path();
};

TEST_F(CorpusTest, LoadsRecursivelySortedByIdAndSkipsBadFiles) {
  Write("b.md", "---\nid: 20\ntitle: b\n---\n");
  Write("sub/a.md", "---\nid: 10\ntitle: a\n---\n");
  Write("bad.md", "---\ntitle: no id\n---\n");
  Write("notes.txt", "not an article");
  absl::StatusOr<Corpus> c = LoadCorpus(dir_);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->articles.size(), 2u);
  EXPECT_EQ(c->articles[0].id, 10);
  EXPECT_EQ(c->articles[0].path, "sub/a.md");
  EXPECT_EQ(c->articles[1].id, 20);
  ASSERT_EQ(c->skipped.size(), 1u);
  EXPECT_EQ(c->skipped[0].path, "bad.md");
  EXPECT_THAT(c->skipped[0].message, HasSubstr("bad.md:3: missing `id`"));
}

// Bad files are reported in fs::path order (component by component: "a/"
// before "a-", where byte order puts '-' and '.' before '/'); only names
// ending in ".md" with a stem count, and not README.md.
TEST_F(CorpusTest, ListsArticleFilesInPathOrder) {
  fs::create_directories(dir_ / "a");
  for (const char* name : {"a.md", "a-b.md", "a/c.md", "sub/z.md", ".md", "sub/README.md",
                           "x.md.txt", "y.MD", "md"}) {
    Write(name, "no front matter\n");
  }
  Write("sub/ok.md", "---\nid: 1\n---\n");
  absl::StatusOr<Corpus> c = LoadCorpus(dir_);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->articles.size(), 1u);
  std::vector<std::string> skipped;
  for (const LoadError& e : c->skipped) skipped.push_back(e.path);
  EXPECT_EQ(skipped, (std::vector<std::string>{"a/c.md", "a-b.md", "a.md", "sub/z.md"}));
}

TEST_F(CorpusTest, SkipsOversizedFiles) {
  Write("big.md", "---\nid: 1\ntitle: " + std::string(2000, 'x') + "\n---\n");
  Write("ok.md", "---\nid: 2\n---\n");
  absl::StatusOr<Corpus> c = LoadCorpus(dir_, LoadOptions{.max_file_bytes = 1000});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->articles.size(), 1u);
  ASSERT_EQ(c->skipped.size(), 1u);
  EXPECT_THAT(c->skipped[0].message, HasSubstr("over the limit of 1000"));
}

TEST_F(CorpusTest, DuplicateIdsFailNamingBothFiles) {
  Write("one.md", "---\nid: 5\n---\n");
  Write("sub/two.md", "---\nid: 5\n---\n");
  absl::StatusOr<Corpus> c = LoadCorpus(dir_);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("id 5"));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("one.md"));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("sub/two.md"));
}

TEST_F(CorpusTest, MissingDirectoryIsAnError) {
  EXPECT_EQ(LoadCorpus(dir_ / "nope").status().code(), absl::StatusCode::kNotFound);
}

// `listed` hears the number of article files (bad ones too; not README.md
// or other extensions) once, before any is read: a file rewritten from it is
// loaded as rewritten.
TEST_F(CorpusTest, ListedComesOnceWithTheFileCountBeforeAnyRead) {
  for (int i = 0; i < 100; ++i) {
    Write("sub/" + std::to_string(i) + ".md", "---\nid: " + std::to_string(i + 1) + "\n---\n");
  }
  Write("bad.md", "no front matter\n");
  Write("README.md", "# about\n");
  Write("notes.txt", "not an article");
  for (int threads : {1, 4}) {
    std::vector<size_t> calls;
    LoadOptions options{.threads = threads};
    options.listed = [&](size_t files) {
      calls.push_back(files);
      Write("sub/0.md", "---\nid: 500\n---\n");
    };
    absl::StatusOr<Corpus> c = LoadCorpus(dir_, options);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(calls, std::vector<size_t>{101}) << threads << " threads";
    ASSERT_EQ(c->articles.size(), 100u);
    EXPECT_EQ(c->articles.back().id, 500) << threads << " threads";
    Write("sub/0.md", "---\nid: 1\n---\n");
  }
}

TEST_F(CorpusTest, ThreadCountsDoNotChangeTheResult) {
  // More files than a reading thread's chunk (32), with bad ones of each kind
  // spread over chunk boundaries, so every way a file can fail crosses the
  // hand-over from readers to parsers.
  for (int i = 0; i < 300; ++i) {
    Write((i % 2 ? "sub/" : "") + std::to_string(i) + ".md",
          "---\nid: " + std::to_string(1000 - i) + "\ntitle: t" + std::to_string(i) + "\n---\n");
  }
  Write("sub/bad.md", "no front matter\n");
  Write("30.md", "---\nid: [unclosed\n---\n");  // each replaces a good file
  Write("64.md", "---\nid: 936\ntitle: " + std::string(5000, 'x') + "\n---\n");
  size_t last_done = 0, last_total = 0;
  auto load = [&](int threads, int parse_threads, bool progress) {
    LoadOptions options{.max_file_bytes = 4096, .threads = threads, .parse_threads = parse_threads};
    last_done = last_total = 0;
    if (progress) {
      options.progress = [&](size_t done, size_t total) {
        EXPECT_GE(done, last_done);
        last_done = done;
        last_total = total;
      };
    }
    return LoadCorpus(dir_, options);
  };
  absl::StatusOr<Corpus> a = load(1, 1, false);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->articles.size(), 298u);
  EXPECT_EQ(a->articles[0].id, 701);  // sorted by id
  ASSERT_EQ(a->skipped.size(), 3u);  // in file order
  EXPECT_EQ(a->skipped[0].path, "30.md");
  EXPECT_THAT(a->skipped[0].message, HasSubstr("30.md:3: malformed YAML"));
  EXPECT_EQ(a->skipped[1].path, "64.md");
  EXPECT_THAT(a->skipped[1].message, HasSubstr("64.md:1: file is"));
  EXPECT_EQ(a->skipped[2].path, "sub/bad.md");
  for (auto [threads, parse_threads] : {std::pair{3, 1}, {3, 2}, {3, 3}, {16, 0}, {2, 5}}) {
    SCOPED_TRACE(::testing::Message() << threads << " readers, " << parse_threads << " parsers");
    absl::StatusOr<Corpus> b = load(threads, parse_threads, true);
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_EQ(b->articles.size(), a->articles.size());
    for (size_t i = 0; i < a->articles.size(); ++i) {
      EXPECT_EQ(a->articles[i].id, b->articles[i].id);
      EXPECT_EQ(a->articles[i].path, b->articles[i].path);
      EXPECT_EQ(a->articles[i].title, b->articles[i].title);
    }
    ASSERT_EQ(b->skipped.size(), a->skipped.size());
    for (size_t i = 0; i < a->skipped.size(); ++i) {
      EXPECT_EQ(a->skipped[i].path, b->skipped[i].path);
      EXPECT_EQ(a->skipped[i].message, b->skipped[i].message);
    }
    EXPECT_EQ(last_done, 301u);
    EXPECT_EQ(last_total, 301u);
  }
}

TEST_F(CorpusTest, LargeFilesSurviveTheHandOver) {
  // 70 files of ~40 KB: a reader's chunk of 32 outgrows the size chunks are
  // kept at, and every file must still arrive whole, at its place.
  for (int i = 0; i < 70; ++i) {
    Write(std::to_string(100 + i) + ".md", "---\nid: " + std::to_string(i) +
                                               "\nquestion: " + std::string(40000 + i, 'a' + i % 26) +
                                               "\n---\nbody " + std::to_string(i) + "\n");
  }
  absl::StatusOr<Corpus> c = LoadCorpus(dir_, LoadOptions{.threads = 2, .parse_threads = 2});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->articles.size(), 70u);
  for (int i = 0; i < 70; ++i) {
    const Article& a = c->articles[static_cast<size_t>(i)];
    EXPECT_EQ(a.id, i);
    EXPECT_EQ(a.path, std::to_string(100 + i) + ".md");
    EXPECT_EQ(a.question, std::string(40000 + i, static_cast<char>('a' + i % 26)));
  }
}

TEST_F(CorpusTest, PathsAreRelativeHoweverTheDirectoryIsSpelled) {
  Write("sub/a.md", "---\nid: 1\n---\n");
  Write("sub/bad.md", "---\ntitle: no id\n---\n");
  for (const std::string& spelled :
       {dir_.string(), dir_.string() + "/", dir_.string() + "//", dir_.string() + "/./sub/.."}) {
    SCOPED_TRACE(spelled);
    absl::StatusOr<Corpus> c = LoadCorpus(spelled);
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_EQ(c->articles.size(), 1u);
    EXPECT_EQ(c->articles[0].path, "sub/a.md");
    ASSERT_EQ(c->skipped.size(), 1u);
    EXPECT_EQ(c->skipped[0].path, "sub/bad.md");
    EXPECT_THAT(c->skipped[0].message, HasSubstr("sub/bad.md:3: missing `id`"));
  }
}

TEST(SampleCorpusTest, LoadsCleanlyWithUniqueIds) {
  absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->skipped.empty()) << c->skipped[0].message;
  EXPECT_GE(c->articles.size(), 40u);
}

}  // namespace
}  // namespace seealso
