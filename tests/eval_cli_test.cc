// `seealso eval` end to end: a links file written by `seealso links` is judged
// exactly like the in-process ranking, and the existing-links baseline shows
// the sample corpus's defects.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/run_command.h"
#include "tests/scratch_dir.h"

namespace {

using ::testing::HasSubstr;
using ::testing::ContainsRegex;
using ::testing::Not;

using Output = seealso::testing::CommandOutput;

// Runs the seealso binary with `args` (stderr folded into out).
Output Seealso(const std::string& args) {
  return seealso::testing::RunCommand(std::string(SEEALSO_BINARY) + " " + args + " 2>&1");
}

class EvalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A few judgments drawn from the sample corpus's topic clusters, graded.
    std::ofstream(dir_ / "qrels.tsv") << "171811\t171812\t1\n171811\t171810\t1\n"
                                         "171803\t171805\t2\n171803\t171804\t1\n"
                                         "171830\t171831\t1\n171830\t171833\t1\n"
                                         "171850\t171851\t1\n171850\t171852\t1\n";
    std::ofstream(dir_ / "dups.tsv") << "171803\t171805\n171851\t171852\n";
    corpus_ = std::string(SEEALSO_SOURCE_DIR) + "/data/sample";
  }
  std::string Common() const {
    return "eval --corpus " + corpus_ + " --qrels " + (dir_ / "qrels.tsv").string() +
           " --dups " + (dir_ / "dups.tsv").string();
  }
  seealso::testing::ScratchDir scratch_{"eval_cli_test"};
  const std::filesystem::path dir_ = scratch_.path();
  std::string corpus_;
};

// Everything after the system's name.
std::string Metrics(const std::string& json) {
  const size_t at = json.find("\"metrics\"");
  return at == std::string::npos ? "" : json.substr(at);
}

TEST_F(EvalCliTest, LinksFileScoresLikeTheInProcessRanking) {
  for (const char* k : {"3", "10"}) {
    const std::string links = (dir_ / "links.tsv").string();
    ASSERT_EQ(Seealso("links --corpus " + corpus_ + " --k " + k + " --out " + links).status, 0);
    const Output engine = Seealso(Common() + " --k " + k + " --json");
    const Output file = Seealso(Common() + " --k " + k + " --json --links " + links);
    ASSERT_EQ(engine.status, 0) << engine.out;
    ASSERT_EQ(file.status, 0) << file.out;
    EXPECT_THAT(engine.out, HasSubstr("\"name\": \"engine\""));
    EXPECT_THAT(file.out, HasSubstr("\"name\": \"links.tsv\""));
    EXPECT_THAT(engine.out, HasSubstr("\"judged_articles\": 4,"));
    EXPECT_FALSE(Metrics(engine.out).empty());
    EXPECT_EQ(Metrics(engine.out), Metrics(file.out));
  }
}

TEST_F(EvalCliTest, ExistingBaselineShowsTheDefectsSideBySide) {
  const Output run = Seealso(Common() + " --baseline existing");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("seealso eval: 53 articles, k = 10\n"));
  EXPECT_THAT(run.out, HasSubstr("engine    existing\n"));
  // The engine's lists are clean; the files hold 9 repeats (the seed's
  // 171810 among them), 5 self-links and 5 stale ids.
  EXPECT_THAT(run.out, ContainsRegex("\nrepeated ids +0 +9\n"));
  EXPECT_THAT(run.out, ContainsRegex("\nself-links +0 +5\n"));
  EXPECT_THAT(run.out, ContainsRegex("\nunknown \\(stale\\) ids +0 +5\n"));
  EXPECT_THAT(run.out, ContainsRegex("\nempty lists +0 +6\n"));
  EXPECT_THAT(run.out, ContainsRegex("\nmean score +0\\.[0-9]{4} +-\n"));
}

TEST_F(EvalCliTest, WithoutQrelsOnlyHygiene) {
  const Output run = Seealso("eval --corpus " + corpus_ + " --json");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("\"ndcg\": null"));
  EXPECT_THAT(run.out, HasSubstr("\"self_links\": 0"));
  EXPECT_THAT(run.out, HasSubstr("\"curve\": []"));
  const Output table = Seealso("eval --corpus " + corpus_);
  EXPECT_THAT(table.out, HasSubstr("53 articles, k = 10, no --qrels (hygiene only)\n"));
  EXPECT_THAT(table.out, Not(HasSubstr("nDCG")));
  EXPECT_THAT(table.out, ContainsRegex("\nself-links +0\n"));
}

TEST_F(EvalCliTest, SweepRanksEveryCombinationBestFirst) {
  const Output run =
      Seealso(Common() + " --sweep fields.title=0.5,3 --sweep tfidf.sublinear_tf=true,false");
  ASSERT_EQ(run.status, 0) << run.out;
  std::vector<std::string> lines = absl::StrSplit(run.out, '\n', absl::SkipEmpty());
  // The loading figures come first, on stderr.
  ASSERT_THAT(lines, Not(testing::IsEmpty()));
  EXPECT_THAT(lines[0], HasSubstr("seealso: loaded 53 articles"));
  lines.erase(lines.begin());
  ASSERT_EQ(lines.size(), 5u) << run.out;
  EXPECT_THAT(lines[0], ContainsRegex("^fields.title +tfidf.sublinear_tf +nDCG@10 "));
  // The defaults' row scores what the engine scores without --sweep.
  const Output plain = Seealso(Common());
  std::string ndcg;
  for (absl::string_view line : absl::StrSplit(plain.out, '\n')) {
    if (absl::ConsumePrefix(&line, "nDCG@10")) {
      ndcg = std::string(absl::StripAsciiWhitespace(line));
    }
  }
  ASSERT_FALSE(ndcg.empty()) << plain.out;
  EXPECT_THAT(run.out, ContainsRegex("\n +0.5 +true +" + ndcg + " "));
  double previous = 2;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    ASSERT_GE(cells.size(), 3u);
    const double value = std::stod(cells[2]);
    EXPECT_LE(value, previous) << run.out;
    previous = value;
  }
  EXPECT_EQ(Seealso(Common() + " --sweep nope=1").status, 2);
  EXPECT_EQ(Seealso(Common() + " --sweep fields.title=x").status, 2);
  EXPECT_EQ(Seealso("eval --corpus " + corpus_ + " --sweep fields.title=1,2").status, 2);
}

TEST_F(EvalCliTest, BadInputIsUsageErrorNamingFileAndLine) {
  const std::string bad = (dir_ / "bad.tsv").string();
  std::ofstream(bad) << "171811\t171812\t1\n171811\tx\t1\n";
  const Output run = Seealso("eval --corpus " + corpus_ + " --qrels " + bad);
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.out, HasSubstr(bad + ":2: related_id is not an integer"));
  EXPECT_EQ(Seealso("eval --corpus " + corpus_ + " --k 0").status, 0);  // 0 = default 10
  EXPECT_EQ(Seealso("eval --corpus " + corpus_ + " --k -1").status, 2);
  EXPECT_EQ(Seealso("eval --corpus " + corpus_ + " --links /nonexistent.tsv").status, 2);
}

// Issue #4's quality target, on the judged dev corpus when it is present
// (the workplace's ../shared; CI's clean clone skips): the default
// configuration reaches nDCG@10 >= 0.42, and title mentions are what lift it
// there (0.4065 without them).
TEST(EvalDevCorpusTest, DefaultsReachTheQualityTarget) {
  const std::string dir = std::string(SEEALSO_SOURCE_DIR) + "/../shared/corpora/cstheory-meta";
  if (!std::filesystem::exists(dir + "/qrels.tsv")) GTEST_SKIP() << "no dev corpus";
  const std::string common = "eval --corpus " + dir + "/articles --qrels " + dir +
                             "/qrels.tsv --dups " + dir + "/dups.tsv --k 10 --json";
  auto ndcg = [](const std::string& json) {
    const size_t at = json.find("\"ndcg\": ");
    return at == std::string::npos ? -1.0 : std::stod(json.substr(at + 9));
  };
  const Output defaults = Seealso(common);
  ASSERT_EQ(defaults.status, 0) << defaults.out;
  EXPECT_GE(ndcg(Metrics(defaults.out)), 0.42) << defaults.out;
  const std::string config = (std::filesystem::temp_directory_path() /
                              ("eval_dev_" + std::to_string(getpid()) + ".yaml")).string();
  std::ofstream(config) << "scoring:\n  mention_boost: 0\n";
  const Output off = Seealso(common + " --config " + config);
  std::filesystem::remove(config);
  ASSERT_EQ(off.status, 0) << off.out;
  EXPECT_LT(ndcg(Metrics(off.out)), 0.41) << off.out;
}

}  // namespace
