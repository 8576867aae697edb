// The HTML report: self-contained and escaped, and it renders in a real
// headless browser (Debian chromium) without a console message.
#include <unistd.h>

#include "eval/html_report.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/run_command.h"
#include "tests/scratch_dir.h"

namespace seealso::eval {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using seealso::testing::RunCommand;

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

ReportPage CraftedPage() {
  ReportPage page;
  page.ranking = {{1, {{2, 0.9}, {3, 0.4}}}, {2, {{1, 0.9}}}};
  page.qrels = {{1, {{3, 2}, {4, 1}}}, {2, {{3, 1}}}};
  page.titles = {{1, "Tom & Jerry"}, {2, "</td><script>alert(1)</script>"}, {3, "C"}};
  const Catalogue catalogue = {{1, "a"}, {2, "a"}, {3, "b"}};
  page.systems = {{"engine", Evaluate(page.ranking, catalogue, &page.qrels, {}, 3)},
                  {"old \"links\"", Evaluate({}, catalogue, &page.qrels, {}, 3)}};
  return page;
}

TEST(HtmlReportTest, SelfContainedAndEscaped) {
  const std::string html = RenderHtmlReport(CraftedPage());
  EXPECT_THAT(html, HasSubstr("default-src 'none'"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("Tom &amp; Jerry"));
  EXPECT_THAT(html, HasSubstr("<th>old &quot;links&quot;</th>"));
  EXPECT_EQ(Count(html, " src="), 0);
  EXPECT_EQ(Count(html, " href="), 0);
  // Curve and histogram; three metrics per system in the curve.
  EXPECT_EQ(Count(html, "<svg "), 2);
  EXPECT_EQ(Count(html, "<polyline "), 6);
  EXPECT_THAT(html, HasSubstr("<tr><td>nDCG@3</td>"));
  // Worst served first: article 2 (nothing relevant found) before article 1.
  EXPECT_LT(html.find("<tr><td>2 &lt;/td&gt;"), html.find("<tr><td>1 Tom"));
  EXPECT_THAT(html, HasSubstr("<li>4 (not in the corpus) (1)</li>"));
  EXPECT_THAT(html, HasSubstr("<li class=\"rel\">3 C &#10003;2</li>"));
}

TEST(HtmlReportTest, WithoutJudgmentsOrScores) {
  ReportPage page;
  page.ranking = {{1, {{2, std::numeric_limits<double>::quiet_NaN()}}}};
  page.systems = {{"existing", Evaluate(page.ranking, {{1, "a"}, {2, "a"}}, nullptr, {}, 10)}};
  const std::string html = RenderHtmlReport(page);
  EXPECT_EQ(Count(html, "<svg "), 0);
  EXPECT_THAT(html, HasSubstr("No scores to show"));
  EXPECT_THAT(html, HasSubstr("No judgments given"));
}

// Finds the Debian chromium binary, or "".
std::string Chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = Chromium();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (scripts/packages.txt)";
  }
  // Loads `page` headless with a fresh profile and no network services; the
  // DOM goes to dom.html, browser logging (console messages included) to
  // log.txt. Returns chromium's exit status.
  int Render(const std::filesystem::path& page) {
    const std::filesystem::path profile = dir_ / "profile";
    std::filesystem::remove_all(profile);
    const std::string cmd =
        "timeout 120 " + chromium_ +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --user-data-dir=" + profile.string() + " --enable-logging=stderr --v=0" +
        " --dump-dom file://" + page.string() + " >" + (dir_ / "dom.html").string() + " 2>" +
        (dir_ / "log.txt").string();
    return RunCommand(cmd).status;
  }
  std::string Read(const char* name) {
    std::ifstream in(dir_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string chromium_;
  // Kept after a failure: the DOM and chromium's log explain it.
  testing::ScratchDir scratch_{"eval_report_test"};
  const std::filesystem::path dir_ = scratch_.path();
};

TEST_F(BrowserTest, ReportRendersWithoutConsoleMessages) {
  std::ofstream(dir_ / "qrels.tsv") << "171811\t171812\t1\n171803\t171805\t2\n";
  const std::string corpus = std::string(SEEALSO_SOURCE_DIR) + "/data/sample";
  const std::filesystem::path report = dir_ / "report.html";
  const auto eval = RunCommand(std::string(SEEALSO_BINARY) + " eval --corpus " + corpus +
                               " --qrels " + (dir_ / "qrels.tsv").string() +
                               " --baseline existing --report " + report.string() + " 2>&1");
  ASSERT_EQ(eval.status, 0) << eval.out;

  ASSERT_EQ(Render(report), 0) << Read("log.txt");
  const std::string dom = Read("dom.html");
  EXPECT_THAT(dom, HasSubstr("<h1>seealso eval</h1>"));
  EXPECT_EQ(Count(dom, "<svg "), 2);
  EXPECT_THAT(dom, HasSubstr("<td>repeated ids</td><td class=\"n\">0</td><td class=\"n\">9</td>"));
  EXPECT_THAT(dom, HasSubstr("Worst-served articles"));
  EXPECT_THAT(Read("log.txt"), Not(HasSubstr(":CONSOLE")));
}

TEST_F(BrowserTest, ConsoleErrorsAreSeen) {
  // The control for the test above: a page with a script error must be caught.
  const std::filesystem::path bad = dir_ / "bad.html";
  std::ofstream(bad) << "<!DOCTYPE html><html><body><p>x</p>"
                        "<script>undefinedFunction()</script></body></html>";
  ASSERT_EQ(Render(bad), 0) << Read("log.txt");
  EXPECT_THAT(Read("log.txt"), HasSubstr(":CONSOLE"));
  EXPECT_THAT(Read("log.txt"), HasSubstr("undefinedFunction"));
}

}  // namespace
}  // namespace seealso::eval
