// Loading articles: the real example file, every malformed-input case, and
// directory loading.
#include "embeddings/front_matter.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "embeddings/corpus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

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
                "dir/bad.md:4: `title` must be a string"}),
    [](const auto& info) { return std::string(info.param.name); });

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("seealso_corpus_" + std::string(::testing::UnitTest::GetInstance()
                                                 ->current_test_info()
                                                 ->name()) +
            "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }
  fs::path dir_;
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

TEST(SampleCorpusTest, LoadsCleanlyWithUniqueIds) {
  absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->skipped.empty()) << c->skipped[0].message;
  EXPECT_GE(c->articles.size(), 40u);
}

}  // namespace
}  // namespace seealso
