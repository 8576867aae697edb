// Whole-index snapshots: the search structures round-trip exactly and are
// used in place; model-only files still load; damaged structures are refused
// (never a crash, whatever the bytes).
#include "scoring/index_snapshot.h"

#include <cstring>
#include <filesystem>
#include <random>

#include "embeddings/front_matter.h"
#include "gen/generator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/generated_articles.h"
#include "tests/snapshot_bytes.h"

namespace seealso {
namespace {

using ::testing::HasSubstr;

std::vector<Article> Generated(int64_t n) {
  GeneratorOptions o;
  o.n = n;
  o.seed = 5;
  o.vocabulary = 5000;
  std::vector<Article> articles = testing_util::GeneratedArticles(o);
  testing_util::PlantMentions(&articles);
  return articles;
}

template <typename T>
void ExpectSameArray(const FrozenArray<T>& a, const FrozenArray<T>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  if (a.empty()) return;  // memcmp must not see an empty array's null data()
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(T)), 0) << what;
}

void ExpectSameParts(const SimilarityIndex::Parts& a, const SimilarityIndex::Parts& b) {
  ExpectSameArray(a.postings_start, b.postings_start, "postings_start");
  ExpectSameArray(a.postings_doc, b.postings_doc, "postings_doc");
  ExpectSameArray(a.postings_weight, b.postings_weight, "postings_weight");
  ExpectSameArray(a.band_norm, b.band_norm, "band_norm");
  ExpectSameArray(a.heavy_norm, b.heavy_norm, "heavy_norm");
  ExpectSameArray(a.heavy_order_start, b.heavy_order_start, "heavy_order_start");
  ExpectSameArray(a.heavy_order, b.heavy_order, "heavy_order");
}

// Default options (the banded exact path) and every query pruned.
std::vector<RankOptions> Policies() {
  RankOptions pruned;
  pruned.pruning.exact_below_postings = 0;
  return {RankOptions{}, pruned};
}

void ExpectSameLists(const RelatedIndex& a, const RelatedIndex& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const RankOptions& options : Policies()) {
    const auto want = a.AllTopK(options), got = b.AllTopK(options);
    for (int32_t d = 0; d < a.size(); ++d) {
      ASSERT_EQ(got[d].size(), want[d].size()) << d;
      for (size_t r = 0; r < want[d].size(); ++r) {
        EXPECT_EQ(got[d][r].doc, want[d][r].doc);
        EXPECT_EQ(got[d][r].score, want[d][r].score);
        EXPECT_EQ(got[d][r].mentioned, want[d][r].mentioned);
      }
    }
  }
}

using IndexSnapshotTest = testing_util::SnapshotFileTest;
using testing_util::Reseal;
using testing_util::SectionOffset;
using testing_util::SectionSize;
using testing_util::Store;

// The search structures follow the model's 15 sections: similarity_info is
// section 15, postings_start 16, ... (docs/snapshot-format.md).
constexpr size_t kPostingsStart = 16, kPostingsDoc = 17, kPostingsWeight = 18,
                 kHeavyOrderStart = 21, kHeavyOrder = 22;

TEST_F(IndexSnapshotTest, StoredStructuresRoundTripAndRankIdentically) {
  const auto built = RelatedIndex::Build(Generated(600));
  ASSERT_TRUE(WriteIndexSnapshot(path_, *built).ok());
  SnapshotInfo info;
  absl::StatusOr<std::unique_ptr<const RelatedIndex>> loaded = ReadIndexSnapshot(path_, &info);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(info.file_bytes, std::filesystem::file_size(path_));
  ASSERT_EQ(ReadSnapshot(path_)->extra.size(), 8u);
  ExpectSameParts((*loaded)->similarity().parts(), built->similarity().parts());
  EXPECT_GT(built->mentions().pairs(), 50);
  ExpectSameArray((*loaded)->mentions().start(), built->mentions().start(), "mention start");
  ExpectSameArray((*loaded)->mentions().doc(), built->mentions().doc(), "mention doc");
  ExpectSameArray((*loaded)->mentions().ignored(), built->mentions().ignored(), "mention ignored");
  for (int32_t d = 0; d < built->size(); ++d) {
    EXPECT_EQ((*loaded)->article(d).id, built->article(d).id);
    EXPECT_EQ((*loaded)->article(d).url, built->article(d).url);
  }
  ExpectSameLists(*built, **loaded);
}

// An index built for a batch run drops the vocabulary, idf and term weights
// but ranks its articles exactly as the full one (exact and pruned paths); it
// embeds no draft and is never written as a snapshot.
TEST_F(IndexSnapshotTest, BatchIndexRanksAlikeAndIsNeverWritten) {
  const std::vector<Article> articles = Generated(400);
  auto full = RelatedIndex::Build(articles);
  auto batch = RelatedIndex::Build(articles, {}, RelatedIndex::Use::kBatch);
  ExpectSameLists(*full, *batch);
  ASSERT_GT(full->embeddings().terms().size(), 0u);
  EXPECT_TRUE(full->embeddings().can_embed());
  EXPECT_FALSE(batch->embeddings().can_embed());
  EXPECT_EQ(batch->embeddings().terms().size(), 0u);
  EXPECT_TRUE(batch->embeddings().idf().empty());
  EXPECT_EQ(batch->embeddings().matrix().cols(), full->embeddings().matrix().cols());
  EXPECT_GT(full->embeddings().Embed(articles[0]).nonZeros(), 0);
  EXPECT_EQ(batch->embeddings().Embed(articles[0]).nonZeros(), 0);
  const absl::Status written = WriteIndexSnapshot(path_, *batch);
  EXPECT_EQ(written.code(), absl::StatusCode::kFailedPrecondition) << written;
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_TRUE(WriteIndexSnapshot(path_, *full).ok());
}

TEST_F(IndexSnapshotTest, ModelOnlySnapshotRebuildsTheStructures) {
  const std::vector<Article> articles = Generated(200);
  const auto built = RelatedIndex::Build(articles);
  ASSERT_TRUE(
      WriteSnapshot(path_, built->embeddings(), ArticleTable::Of(articles), {}, built->mentions())
          .ok());
  absl::StatusOr<std::unique_ptr<const RelatedIndex>> loaded = ReadIndexSnapshot(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSameParts((*loaded)->similarity().parts(), built->similarity().parts());
  ExpectSameLists(*built, **loaded);
}

TEST_F(IndexSnapshotTest, DamagedStructuresAreNamed) {
  ASSERT_TRUE(WriteIndexSnapshot(path_, *RelatedIndex::Build(Generated(50))).ok());
  const std::string bytes = ReadBytes();
  // `bad`, resealed, is refused with "FILE: corrupt: <message>".
  auto expect_corrupt = [&](std::string bad, const std::string& message) {
    Reseal(&bad);
    WriteBytes(bad);
    absl::StatusOr<std::unique_ptr<const RelatedIndex>> loaded = ReadIndexSnapshot(path_);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss) << message;
    EXPECT_THAT(std::string(loaded.status().message()),
                HasSubstr(path_.string() + ": corrupt: " + message));
  };
  auto expect_refused = [&](std::string bad, const std::string& message) {
    expect_corrupt(std::move(bad), "search structures: " + message);
  };
  std::string bad = bytes;
  Store<int32_t>(&bad, SectionOffset(bytes, kPostingsDoc), 50);  // 50 documents: 0..49
  expect_refused(bad, "a posting's document is out of range or its weight negative");
  bad = bytes;
  Store<float>(&bad, SectionOffset(bytes, kPostingsWeight) + 8, -0.5f);
  expect_refused(bad, "a posting's document is out of range or its weight negative");
  bad = bytes;
  Store<int64_t>(&bad, SectionOffset(bytes, kPostingsStart) + 8, int64_t{1} << 40);
  expect_refused(bad, "postings starts decrease at term 1");
  bad = bytes;
  Store<int64_t>(&bad, SectionOffset(bytes, kHeavyOrderStart) + 8, -1);
  expect_refused(bad, "heavy-norm order of level 1 is malformed");
  bad = bytes;
  ASSERT_GT(SectionSize(bytes, kHeavyOrder), 0u);
  Store<int32_t>(&bad, SectionOffset(bytes, kHeavyOrder), -7);
  expect_refused(bad, "a heavy-norm order's document is out of range");

  // The mentions are the model's sections 12 to 14 (start, doc, ignored).
  constexpr size_t kMentionStart = 12, kMentionDoc = 13;
  ASSERT_GT(SectionSize(bytes, kMentionDoc), 0u);
  bad = bytes;
  Store<int32_t>(&bad, SectionOffset(bytes, kMentionDoc), 1 << 30);
  expect_corrupt(bad, "mentions of document 0: not sorted distinct other documents");
  bad = bytes;
  Store<int64_t>(&bad, SectionOffset(bytes, kMentionStart) + 8, int64_t{1} << 40);
  expect_corrupt(bad, "mention starts decrease");
}

TEST_F(IndexSnapshotTest, PrecomputedListsRoundTripAndServeOnlyTheirOptions) {
  const auto built = RelatedIndex::Build(Generated(300));
  RankOptions options;
  options.k = 5;
  options.min_score = 0.01f;
  options.exclude_subjects = {"a,b\nc=d", ""};
  options.include_subjects = {};
  options.exclude_ids = {7, -3};
  options.same_subject_boost = 1.5f;
  options.mmr_lambda = 0.7f;
  options.keep_near_copies_of_query = true;
  options.near_duplicate_threshold = 0.9f;
  options.mention_boost = 0.45f;
  options.pruning.exact_below_postings = 12345;
  const PrecomputedLists lists = PrecomputeLists(*built, options);
  ASSERT_TRUE(WriteIndexSnapshot(path_, *built, &lists).ok());
  absl::StatusOr<std::unique_ptr<const RelatedIndex>> loaded = ReadIndexSnapshot(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE((*loaded)->precomputed().has_value());
  EXPECT_EQ((*loaded)->precomputed()->options, options);
  ExpectSameArray((*loaded)->precomputed()->start, lists.start, "start");
  ExpectSameArray((*loaded)->precomputed()->doc, lists.doc, "doc");
  ExpectSameArray((*loaded)->precomputed()->score, lists.score, "score");

  // Served lists are exactly the ranked ones, explanations included.
  RankOptions explained = options;
  explained.explain_terms = 3;
  for (int32_t d = 0; d < built->size(); ++d) {
    for (const RankOptions& o : {options, explained}) {
      const auto want = built->TopK(d, o), got = (*loaded)->TopK(d, o);
      ASSERT_EQ(got.size(), want.size());
      for (size_t r = 0; r < want.size(); ++r) {
        EXPECT_EQ(got[r].doc, want[r].doc);
        EXPECT_EQ(got[r].score, want[r].score);
        EXPECT_EQ(got[r].mentioned, want[r].mentioned);
        ASSERT_EQ(got[r].explanation.size(), want[r].explanation.size());
        for (size_t t = 0; t < want[r].explanation.size(); ++t) {
          EXPECT_EQ(got[r].explanation[t].term, want[r].explanation[t].term);
          EXPECT_EQ(got[r].explanation[t].contribution, want[r].explanation[t].contribution);
        }
      }
    }
  }

  // They are looked up, not ranked: altered lists show through for their own
  // options only (and not when stats are asked for, which need a ranking).
  std::vector<float> altered(lists.score.begin(), lists.score.end());
  for (float& x : altered) x += 1.0f;
  const PrecomputedLists fake{options, lists.start, lists.doc, FrozenArray<float>(altered)};
  const ArticleTable& articles = built->articles();
  auto faked = RelatedIndex::FromEmbeddings(articles, built->embeddings(), built->similarity(), fake);
  ASSERT_TRUE(faked.ok()) << faked.status();
  const int32_t d = 11;
  ASSERT_FALSE(built->TopK(d, options).empty());
  EXPECT_EQ((*faked)->TopK(d, options)[0].score, built->TopK(d, options)[0].score + 1.0f);
  DedupStats stats;
  EXPECT_EQ((*faked)->TopK(d, options, &stats)[0].score, built->TopK(d, options)[0].score);
  RankOptions other = options;
  other.k = 4;
  EXPECT_EQ((*faked)->TopK(d, other)[0].score, built->TopK(d, other)[0].score);

  // Malformed lists are refused.
  const PrecomputedLists short_lists{options, FrozenArray<int64_t>(std::vector<int64_t>{0}),
                                     lists.doc, lists.score};
  EXPECT_FALSE(RelatedIndex::FromEmbeddings(articles, built->embeddings(), std::nullopt,
                                            short_lists).ok());
  std::vector<int32_t> far(lists.doc.begin(), lists.doc.end());
  far.back() = 300;
  const PrecomputedLists out_of_range{options, lists.start, FrozenArray<int32_t>(far), lists.score};
  EXPECT_FALSE(RelatedIndex::FromEmbeddings(articles, built->embeddings(), std::nullopt,
                                            out_of_range).ok());
}

// Random bytes in the structures, checksums recomputed: refused, or loaded
// and safe to rank with (the sanitizer build runs this).
TEST_F(IndexSnapshotTest, ResealedDamageIsRefusedOrHarmless) {
  ASSERT_TRUE(WriteIndexSnapshot(path_, *RelatedIndex::Build(Generated(12))).ok());
  const std::string bytes = ReadBytes();
  std::mt19937 rng(11);
  int refused = 0, loaded_ok = 0;
  for (size_t s = kPostingsStart; s <= kHeavyOrder; ++s) {
    for (int trial = 0; trial < 60 && SectionSize(bytes, s) > 0; ++trial) {
      std::string bad = bytes;
      const size_t at = SectionOffset(bytes, s) + rng() % SectionSize(bytes, s);
      bad[at] = static_cast<char>(rng() % 256);
      Reseal(&bad);
      WriteBytes(bad);
      absl::StatusOr<std::unique_ptr<const RelatedIndex>> loaded = ReadIndexSnapshot(path_);
      if (!loaded.ok()) {
        ++refused;
        EXPECT_THAT(loaded.status().message(), HasSubstr(path_.string() + ": corrupt"));
        continue;
      }
      ++loaded_ok;
      for (const RankOptions& options : Policies()) (*loaded)->AllTopK(options, 1);
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(loaded_ok, 0);
}

}  // namespace
}  // namespace seealso
