// Batch regeneration on copies of corpora: the sample corpus end to end
// (only related lines change, idempotent, clean lists), dry-run and check
// modes, and every bad-input case (skipped, reported, never written).
#include "regen/regen.h"

#include <sys/stat.h>

#include <map>

#include "absl/container/flat_hash_set.h"
#include "embeddings/front_matter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/regen_test_util.h"
#include "tests/scratch_dir.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing_util::NonRelatedChanges;
using testing_util::ReadBytes;
using testing_util::WriteBytes;

std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  return testing_util::FilesUnder(dir);
}

class RegenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "corpus/sub");
    corpus_ = dir_ / "corpus";
  }
  void CopySample() {
    fs::copy(fs::path(SEEALSO_SOURCE_DIR) / "data/sample", corpus_,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  // A small valid article; articles 1..3 share words so each links the others.
  static std::string Article(int id, const std::string& extra = "") {
    return "---\nid: " + std::to_string(id) + "\ntitle: graph coloring note " +
           std::to_string(id) + "\nurl: /q/" + std::to_string(id) + "\n" + extra + "---\nbody\n";
  }
  RegenSummary Run(RegenMode mode, int k = 4) {
    RegenOptions options;
    options.k = k;
    options.mode = mode;
    options.jobs = 2;
    absl::StatusOr<RegenSummary> s = Regen(corpus_, options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : RegenSummary{};
  }
  testing::ScratchDir scratch_{"seealso_regen"};
  const fs::path dir_ = scratch_.path();
  fs::path corpus_;
};

TEST_F(RegenTest, SampleCorpusOnlyRelatedBlocksChangeAndSecondRunIsANoOp) {
  CopySample();
  const auto before = Snapshot(corpus_);
  int progress_calls = 0;
  RegenOptions options;
  options.progress = [&](int done, int total) {
    ++progress_calls;
    EXPECT_LE(done, total);
  };
  absl::StatusOr<RegenSummary> s = Regen(corpus_, options);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->scanned, 53);
  EXPECT_EQ(s->skipped, 0);
  EXPECT_GT(s->rewritten, 40);
  EXPECT_EQ(s->rewritten + s->unchanged, 53);
  EXPECT_EQ(progress_calls, 53);
  // data/sample/README.md lists 9 repeated ids and 5 links to self.
  EXPECT_EQ(s->duplicate_links_removed, 9);
  EXPECT_EQ(s->self_links_removed, 5);

  const auto after = Snapshot(corpus_);
  ASSERT_EQ(after.size(), before.size());  // no temporary files left behind
  for (const auto& [path, bytes] : after) {
    EXPECT_EQ(NonRelatedChanges(before.at(path), bytes), "") << path;
    if (path == "README.md") continue;
    absl::StatusOr<seealso::Article> a = ParseArticle(bytes, path);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->related.size(), 4u) << path;
    absl::flat_hash_set<int64_t> ids = {a->id};
    for (const RelatedLink& l : a->related) {
      EXPECT_TRUE(ids.insert(l.id).second) << path << " lists " << l.id << " twice or itself";
    }
  }

  const RegenSummary again = Run(RegenMode::kWrite);
  EXPECT_EQ(again.rewritten, 0);
  EXPECT_EQ(again.unchanged, 53);
  EXPECT_EQ(Snapshot(corpus_), after);
  EXPECT_THAT(Run(RegenMode::kCheck).changed, IsEmpty());
}

TEST_F(RegenTest, DryRunAndCheckWriteNothing) {
  CopySample();
  const auto before = Snapshot(corpus_);
  const RegenSummary dry = Run(RegenMode::kDryRun);
  EXPECT_EQ(Snapshot(corpus_), before);
  EXPECT_GT(dry.rewritten, 0);
  EXPECT_THAT(dry.diff, HasSubstr("--- a/what-causes-inflation.md\n+++ b/what-causes-inflation.md\n"));

  const RegenSummary check = Run(RegenMode::kCheck);
  EXPECT_EQ(Snapshot(corpus_), before);
  EXPECT_EQ(check.changed, dry.changed);
  EXPECT_EQ(check.diff, "");
  EXPECT_EQ(static_cast<int>(check.changed.size()), check.rewritten);
}

TEST_F(RegenTest, BadFilesAreReportedSkippedAndNeverWritten) {
  WriteBytes(corpus_ / "a.md", Article(1));
  WriteBytes(corpus_ / "b.md", Article(2));
  WriteBytes(corpus_ / "sub/c.md", Article(3));
  const std::map<std::string, std::string> bad = {
      {"no_front_matter.md", "# graph coloring\n"},
      {"malformed.md", "---\nid: 4\ntitle: [graph coloring\n---\n"},
      {"utf8.md", "---\nid: 5\ntitle: graph caf\xC3\x28\n---\n"},
      {"missing_id.md", "---\ntitle: graph coloring\n---\n"},
      {"text_id.md", "---\nid: seven\ntitle: graph coloring\n---\n"},
      {"sub/big.md", Article(6, "answer: " + std::string(600, 'g') + "\n")},
  };
  for (const auto& [path, text] : bad) WriteBytes(corpus_ / path, text);

  RegenOptions options;
  options.load.max_file_bytes = 500;
  absl::StatusOr<RegenSummary> s = Regen(corpus_, options);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->scanned, 9);
  EXPECT_EQ(s->rewritten, 3);
  EXPECT_EQ(s->skipped, 6);
  EXPECT_EQ(s->write_failures, 0);
  const std::string c = corpus_.string() + "/";
  EXPECT_THAT(s->errors,
              ElementsAre(HasSubstr(c + "malformed.md:4: malformed YAML"),
                          HasSubstr(c + "missing_id.md:3: missing `id`"),
                          HasSubstr(c + "no_front_matter.md:1: no front matter"),
                          HasSubstr(c + "sub/big.md:1: file is "),
                          HasSubstr(c + "text_id.md:2: `id` must be an integer"),
                          HasSubstr(c + "utf8.md:3: invalid UTF-8")));
  for (const auto& [path, text] : bad) EXPECT_EQ(ReadBytes(corpus_ / path), text) << path;
  absl::StatusOr<seealso::Article> a = ParseArticle(ReadBytes(corpus_ / "sub/c.md"), "c.md");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->related.size(), 2u);
  EXPECT_EQ(a->related[0].id, 1);
  EXPECT_EQ(a->related[0].url, "/q/1");
}

TEST_F(RegenTest, DuplicateIdsFailBeforeWritingAnything) {
  WriteBytes(corpus_ / "a.md", Article(1));
  WriteBytes(corpus_ / "b.md", Article(2));
  WriteBytes(corpus_ / "sub/again.md", Article(1));
  const auto before = Snapshot(corpus_);
  absl::StatusOr<RegenSummary> s = Regen(corpus_, RegenOptions{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("a.md"));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("sub/again.md"));
  EXPECT_EQ(Snapshot(corpus_), before);
}

TEST_F(RegenTest, SymlinkOutsideIsNotWrittenSymlinkInsideIsWrittenThrough) {
  fs::create_directories(dir_ / "outside");
  WriteBytes(dir_ / "outside/x.article", Article(1));
  fs::create_symlink(dir_ / "outside/x.article", corpus_ / "escape.md");
  fs::create_directories(corpus_ / "store");
  WriteBytes(corpus_ / "store/y.article", Article(2));
  fs::create_symlink("store/y.article", corpus_ / "inside.md");
  WriteBytes(corpus_ / "z.md", Article(3));

  const RegenSummary s = Run(RegenMode::kWrite);
  EXPECT_EQ(s.rewritten, 2);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_THAT(s.errors[0], HasSubstr("escape.md:1: symlink leads outside"));
  EXPECT_EQ(ReadBytes(dir_ / "outside/x.article"), Article(1));
  EXPECT_TRUE(fs::is_symlink(corpus_ / "escape.md"));
  EXPECT_TRUE(fs::is_symlink(corpus_ / "inside.md"));
  EXPECT_THAT(ReadBytes(corpus_ / "store/y.article"), HasSubstr("related_article1:\n    id: "));
}

TEST_F(RegenTest, KeepsFileModeAndHandlesSubdirectories) {
  WriteBytes(corpus_ / "a.md", Article(1));
  WriteBytes(corpus_ / "sub/b.md", Article(2));
  fs::permissions(corpus_ / "sub/b.md", fs::perms::owner_read | fs::perms::owner_write);
  const RegenSummary s = Run(RegenMode::kWrite, 1);
  EXPECT_THAT(s.changed, ElementsAre("a.md", "sub/b.md"));
  struct stat st;
  ASSERT_EQ(::stat((corpus_ / "sub/b.md").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(ReadBytes(corpus_ / "sub/b.md"),
            "---\nid: 2\ntitle: graph coloring note 2\nurl: /q/2\nrelated_article1:\n    id: 1\n"
            "    title: >-\n        graph coloring note 1\n    subject: \"\"\n    url: /q/1\n"
            "---\nbody\n");
}

TEST_F(RegenTest, RejectsKBelowOne) {
  RegenOptions options;
  options.k = 0;
  EXPECT_EQ(Regen(corpus_, options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace seealso
