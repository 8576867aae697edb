// Index snapshots: exact round trip, and refusal (never a crash) of truncated,
// corrupted or foreign files.
#include "embeddings/snapshot.h"

#include <cstring>
#include <ctime>
#include <filesystem>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/checksum.h"
#include "common/mapped_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/related_index.h"
#include "tests/snapshot_bytes.h"

namespace seealso {
namespace {

using ::testing::HasSubstr;

Article Doc(int64_t id, std::string title, std::string question, std::string subject) {
  Article a;
  a.id = id;
  a.path = "q/" + std::to_string(id) + ".md";
  a.title = std::move(title);
  a.question = std::move(question);
  a.answer = "An answer about " + a.title;
  a.subject = std::move(subject);
  a.url = "/learn/" + std::to_string(id);
  return a;
}

std::vector<Article> Corpus() {
  return {Doc(3, "Graph coloring", "How hard is 3-coloring of planar graphs?", "complexity"),
          Doc(5, "Planar graphs", "Which planar graph problems are NP-hard?", "graphs"),
          Doc(8, "Naïve set theory", "Is the axiom of choice needed here?", "logic"),
          Doc(9, "", "", "")};  // an article without terms: an empty row
}

// Options away from every default, with doubles that need all 17 digits.
EmbeddingOptions Unusual() {
  EmbeddingOptions o;
  o.analyzer.bigrams = false;
  o.analyzer.min_length = 2;
  o.fields.combine = FieldCombination::kFieldTf;
  o.fields.title = 0.1 + 0.2;
  o.fields.subject = 1.0 / 3;
  o.tfidf.smooth_idf = false;
  o.tfidf.max_df = 0.99;
  o.tfidf.bigram_min_df = 3;
  o.tfidf.bigram_weight = 0.6;
  o.fields.bigram_fields = FieldBit(Field::kTitle) | FieldBit(Field::kSubject);
  return o;
}

using testing_util::Load;
using testing_util::Reseal;
using testing_util::SectionCount;
using testing_util::SectionOffset;
using testing_util::Store;
using testing_util::kTable;
constexpr size_t kSections = testing_util::kModelSections;

using SnapshotTest = testing_util::SnapshotFileTest;

TEST_F(SnapshotTest, RoundTripIsExact) {
  const std::vector<Article> articles = Corpus();
  const Embeddings original = Embeddings::Build(articles, Unusual());
  const int64_t before = std::time(nullptr);
  ASSERT_TRUE(WriteSnapshot(path_, original, ArticleTable::Of(articles)).ok());

  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Embeddings& e = loaded->embeddings;
  EXPECT_EQ(e.options(), Unusual());
  EXPECT_EQ(e.terms().ToStrings(), original.terms().ToStrings());
  EXPECT_EQ(e.idf(), original.idf());
  const SparseMatrixView a = original.matrix();
  const SparseMatrixView b = e.matrix();
  ASSERT_EQ(b.rows(), 4);
  ASSERT_EQ(b.cols(), a.cols());
  ASSERT_EQ(b.nonZeros(), a.nonZeros());
  EXPECT_EQ(b.outerIndexPtr()[3], b.outerIndexPtr()[4]);  // article 9 has no terms
  for (int32_t i = 0; i <= a.rows(); ++i) EXPECT_EQ(b.outerIndexPtr()[i], a.outerIndexPtr()[i]);
  for (int64_t k = 0; k < a.nonZeros(); ++k) {
    EXPECT_EQ(b.innerIndexPtr()[k], a.innerIndexPtr()[k]);
    EXPECT_EQ(b.valuePtr()[k], a.valuePtr()[k]);
  }

  ASSERT_EQ(loaded->articles.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const ArticleMeta got = loaded->articles[i];
    EXPECT_EQ(got.id, articles[i].id);
    EXPECT_EQ(got.path, articles[i].path);
    EXPECT_EQ(got.title, articles[i].title);
    EXPECT_EQ(got.subject, articles[i].subject);
    EXPECT_EQ(got.url, articles[i].url);
  }
  EXPECT_EQ(loaded->info.format_version, kSnapshotFormatVersion);
  EXPECT_EQ(loaded->info.file_bytes, std::filesystem::file_size(path_));
  EXPECT_GE(loaded->info.build_time_unix, before);
  EXPECT_LE(loaded->info.build_time_unix, std::time(nullptr));
  const std::string bytes = ReadBytes();
  EXPECT_EQ(loaded->info.checksum,
            Checksum64(absl::string_view(bytes).substr(kTable, 8 + 32 * kSections)));

  // A draft embeds to the very same vector under both models.
  const Article draft = Doc(0, "Coloring planar graphs", "Is 3-coloring planar graphs NP-hard?", "");
  const SparseVector x = original.Embed(draft), y = e.Embed(draft);
  ASSERT_GT(x.nonZeros(), 2);
  ASSERT_EQ(x.nonZeros(), y.nonZeros());
  for (int64_t k = 0; k < x.nonZeros(); ++k) {
    EXPECT_EQ(x.innerIndexPtr()[k], y.innerIndexPtr()[k]);
    EXPECT_EQ(x.valuePtr()[k], y.valuePtr()[k]);
  }
}

TEST_F(SnapshotTest, IndexFromSnapshotRanksLikeTheOriginal) {
  const auto built = RelatedIndex::Build(Corpus());
  ASSERT_TRUE(WriteSnapshot(path_, built->embeddings(), ArticleTable::Of(Corpus())).ok());
  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto index = RelatedIndex::FromEmbeddings(std::move(loaded->articles),
                                            std::move(loaded->embeddings));
  ASSERT_TRUE(index.ok()) << index.status();
  const RankOptions options{.k = 3};
  for (int32_t doc = 0; doc < built->size(); ++doc) {
    const auto want = built->TopK(doc, options), got = (*index)->TopK(doc, options);
    ASSERT_EQ(got.size(), want.size());
    for (size_t r = 0; r < want.size(); ++r) {
      EXPECT_EQ(got[r].doc, want[r].doc);
      EXPECT_EQ(got[r].score, want[r].score);
    }
  }
  // Graph coloring (id 3) and planar graphs (id 5) share terms.
  EXPECT_FALSE((*index)->TopK(*(*index)->Find(3), options).empty());
}

TEST_F(SnapshotTest, EmptyCorpusRoundTrips) {
  const Embeddings empty = Embeddings::Build({}, {});
  ASSERT_TRUE(WriteSnapshot(path_, empty, {}).ok());
  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->embeddings.matrix().rows(), 0);
  EXPECT_TRUE(loaded->articles.empty());
}

TEST_F(SnapshotTest, WriteRefusesMismatchedArticles) {
  const Embeddings e = Embeddings::Build(Corpus(), {});
  EXPECT_EQ(WriteSnapshot(path_, e, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(SnapshotTest, MissingFileIsNotFound) {
  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(dir_ / "nope.snap");
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(loaded.status().message(), HasSubstr("nope.snap"));
}

TEST_F(SnapshotTest, ForeignFileIsNotASnapshot) {
  WriteBytes("---\nid: 1\ntitle: an article, not an index\n---\n");
  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr(path_.string() + ": not a seealso snapshot"));
}

TEST_F(SnapshotTest, OtherVersionIsRefusedByNumber) {
  ASSERT_TRUE(WriteSnapshot(path_, Embeddings::Build(Corpus(), {}), ArticleTable::Of(Corpus())).ok());
  std::string bytes = ReadBytes();
  Store<uint32_t>(&bytes, 8, 4);
  WriteBytes(bytes);
  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(),
              HasSubstr(path_.string() + ": snapshot format version 4, this build reads 3"));
  // An older file says how to get a current one (version 2 had no mentions).
  for (uint32_t older : {1u, 2u}) {
    Store<uint32_t>(&bytes, 8, older);
    WriteBytes(bytes);
    EXPECT_THAT(ReadSnapshot(path_).status().message(),
                HasSubstr(absl::StrCat("version ", older,
                                       ", this build reads 3 (rebuild it with `seealso index`)")));
  }
}

TEST_F(SnapshotTest, SectionsAreAlignedAndUsedInPlace) {
  const std::vector<Article> articles = Corpus();
  const std::vector<std::string> extra_bytes = {"abc", std::string(100, 'x'), ""};
  const std::vector<absl::string_view> extra(extra_bytes.begin(), extra_bytes.end());
  ASSERT_TRUE(WriteSnapshot(path_, Embeddings::Build(articles, {}), ArticleTable::Of(articles), extra).ok());
  const std::string bytes = ReadBytes();
  ASSERT_EQ(SectionCount(bytes), kSections + 3);
  for (size_t s = 0; s < kSections + 3; ++s) EXPECT_EQ(SectionOffset(bytes, s) % 64, 0u) << s;

  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->extra.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(loaded->extra[i], extra_bytes[i]);
  // The model's arrays are the mapped file's bytes, not copies of them.
  const absl::string_view mapped =
      std::static_pointer_cast<const MappedFile>(loaded->file)->bytes();
  auto in_file = [&](const void* p) {
    return static_cast<const char*>(p) >= mapped.data() &&
           static_cast<const char*>(p) < mapped.data() + mapped.size();
  };
  const SparseMatrixView m = loaded->embeddings.matrix();
  EXPECT_TRUE(in_file(m.valuePtr()));
  EXPECT_TRUE(in_file(m.innerIndexPtr()));
  EXPECT_TRUE(in_file(m.outerIndexPtr()));
  EXPECT_TRUE(in_file(loaded->embeddings.idf().data()));
  EXPECT_TRUE(in_file(loaded->embeddings.terms().blob().data()));
  EXPECT_TRUE(in_file(loaded->extra[1].data()));
  // The mapping outlives the LoadedSnapshot through the model's arrays.
  const Embeddings kept = std::move(loaded->embeddings);
  loaded = absl::UnknownError("released");
  EXPECT_EQ(kept.terms().Find("planar"), kept.terms().Find("planar"));
  EXPECT_GE(kept.terms().Find("planar"), 0);
}

TEST_F(SnapshotTest, EveryTruncationIsRefused) {
  ASSERT_TRUE(WriteSnapshot(path_, Embeddings::Build(Corpus(), Unusual()), ArticleTable::Of(Corpus())).ok());
  const std::string bytes = ReadBytes();
  for (size_t len = 0; len < bytes.size(); ++len) {
    WriteBytes(bytes.substr(0, len));
    absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
    ASSERT_FALSE(loaded.ok()) << "length " << len;
    if (len >= 8) {
      EXPECT_THAT(loaded.status().message(), HasSubstr("truncated")) << len;
    }
  }
  WriteBytes(bytes + "x");
  EXPECT_THAT(ReadSnapshot(path_).status().message(), HasSubstr("trailing bytes"));
}

// Every byte is covered by a check, so any flipped byte is refused.
TEST_F(SnapshotTest, EveryFlippedByteIsRefused) {
  ASSERT_TRUE(WriteSnapshot(path_, Embeddings::Build(Corpus(), Unusual()), ArticleTable::Of(Corpus())).ok());
  const std::string bytes = ReadBytes();
  for (size_t at = 0; at < bytes.size(); ++at) {
    for (unsigned char mask : {0x01, 0x80}) {
      std::string bad = bytes;
      bad[at] = static_cast<char>(bad[at] ^ mask);
      WriteBytes(bad);
      ASSERT_FALSE(ReadSnapshot(path_).ok()) << "byte " << at << " mask " << int{mask};
    }
  }
  WriteBytes(bytes);
  std::string bad = bytes;
  bad[SectionOffset(bytes, 6) + 1] ^= 0x10;  // inside the first value
  WriteBytes(bad);
  EXPECT_THAT(ReadSnapshot(path_).status().message(),
              HasSubstr("checksum mismatch in section 'values'"));
}

// With checksums recomputed, damage reaches the structural checks: every
// change must give an error or a well-formed snapshot, never a crash (the
// sanitizer build runs this).
TEST_F(SnapshotTest, ResealedDamageIsRefusedOrHarmless) {
  ASSERT_TRUE(WriteSnapshot(path_, Embeddings::Build(Corpus(), Unusual()), ArticleTable::Of(Corpus())).ok());
  const std::string bytes = ReadBytes();
  const size_t body = SectionOffset(bytes, 0);
  std::mt19937 rng(7);
  int refused = 0;
  for (size_t at = body; at < bytes.size(); ++at) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(rng() % 256);
    Reseal(&bad);
    WriteBytes(bad);
    absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
    if (!loaded.ok()) {
      ++refused;
      EXPECT_THAT(loaded.status().message(), HasSubstr(path_.string() + ": corrupt"));
      continue;
    }
    const SparseMatrixView m = loaded->embeddings.matrix();
    ASSERT_EQ(m.outerIndexPtr()[m.rows()], m.nonZeros());
    ASSERT_EQ(static_cast<size_t>(m.cols()), loaded->embeddings.terms().size());
  }
  EXPECT_GT(refused, 0);
}

// Snapshots written before fields.bigrams existed made bigrams in every
// field: one without that options line reads so.
TEST_F(SnapshotTest, OptionsWithoutBigramFieldsMeanEveryField) {
  ASSERT_TRUE(WriteSnapshot(path_, Embeddings::Build(Corpus(), Unusual()), ArticleTable::Of(Corpus())).ok());
  std::string bytes = ReadBytes();
  const std::string line = "fields.bigrams=title,subject\n";
  const size_t at = bytes.find(line, SectionOffset(bytes, 0));
  ASSERT_NE(at, std::string::npos);
  // Blank lines in its place: the section keeps its size.
  bytes.replace(at, line.size(), std::string(line.size(), '\n'));
  Reseal(&bytes);
  WriteBytes(bytes);
  absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EmbeddingOptions want = Unusual();
  want.fields.bigram_fields = kAllFields;
  EXPECT_EQ(loaded->embeddings.options(), want);
}

TEST_F(SnapshotTest, StructuralDamageIsNamed) {
  ASSERT_TRUE(WriteSnapshot(path_, Embeddings::Build(Corpus(), {}), ArticleTable::Of(Corpus())).ok());
  const std::string bytes = ReadBytes();
  auto expect_refused = [&](std::string bad, const std::string& message) {
    Reseal(&bad);
    WriteBytes(bad);
    absl::StatusOr<LoadedSnapshot> loaded = ReadSnapshot(path_);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(loaded.status().message()), HasSubstr(message));
  };
  std::string bad = bytes;
  Store<int32_t>(&bad, SectionOffset(bytes, 5), 1 << 30);  // first column index
  expect_refused(bad, "column indices of row 0 out of range");
  bad = bytes;
  Store<int32_t>(&bad, SectionOffset(bytes, 4) + 4, 1 << 20);  // row start of row 1
  expect_refused(bad, "row starts decrease");
  bad = bytes;
  const size_t last_start = SectionOffset(bytes, 4) + 4 * 4;  // row start past the last row
  Store<int32_t>(&bad, last_start, Load<int32_t>(bytes, last_start) + 1);
  expect_refused(bad, "row starts do not span the non-zeros");
  bad = bytes;
  bad.replace(SectionOffset(bytes, 0), 8, "bogus=1\n");  // first options line
  expect_refused(bad, "corrupt options");
  bad = bytes;
  Store<uint64_t>(&bad, SectionOffset(bytes, 1) + 8, 5);  // article count
  expect_refused(bad, "section sizes do not match");
  bad = bytes;
  Store<uint64_t>(&bad, SectionOffset(bytes, 9), 1);  // the titles' first offset
  expect_refused(bad, "corrupt string table in section 'article_titles'");
}

TEST(EmbeddingsFromPartsTest, ChecksShapes) {
  SparseMatrix m(1, 2);
  m.insert(0, 1) = 1.0f;
  m.makeCompressed();
  const Vocabulary ab = *Vocabulary::FromSorted({"a", "b"});
  EXPECT_TRUE(Embeddings::FromParts({}, ab, {1, 1}, m).ok());
  EXPECT_FALSE(Embeddings::FromParts({}, *Vocabulary::FromSorted({"a"}), {1}, m).ok());
  EXPECT_FALSE(Embeddings::FromParts({}, ab, {1}, m).ok());
  EXPECT_FALSE(Embeddings::FromParts({}, ab, {1, NAN}, m).ok());
}

TEST(RelatedIndexFromEmbeddingsTest, RefusesRepeatedIdsAndWrongCounts) {
  std::vector<Article> articles = Corpus();
  const Embeddings e = Embeddings::Build(articles, {});
  EXPECT_FALSE(RelatedIndex::FromEmbeddings({}, e).ok());
  articles[1].id = articles[0].id;
  EXPECT_EQ(RelatedIndex::FromEmbeddings(ArticleTable::Of(articles), e).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace seealso
