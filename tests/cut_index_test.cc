// An index cut for one Pruning (SimilarityIndex::ForPruning, what `links` and
// regen build) must rank exactly as the full index: for the pruning it was cut
// for, and, through its guard, for any other options.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "scoring/index_snapshot.h"
#include "scoring/related_index.h"
#include "scoring/similarity.h"
#include "tests/generated_articles.h"

namespace seealso {
namespace {

std::vector<Article> Corpus() {
  GeneratorOptions o;
  o.n = 1200;
  o.seed = 7;
  o.vocabulary = 8000;
  return testing_util::GeneratedArticles(o);
}

// Small numbers, so that at 1,200 articles some terms are cut, and 5 % of
// the rows take the exact path (the cheapest: a row taking it keeps all of
// its terms, and the common words are in nearly every row).
Pruning SmallPruning(const SimilarityIndex& full, const SparseMatrixView& m) {
  std::vector<int64_t> postings;
  for (int32_t d = 0; d < m.rows(); ++d) postings.push_back(full.Postings(RowOf(m, d)));
  const size_t at = postings.size() / 20;
  std::nth_element(postings.begin(), postings.begin() + static_cast<std::ptrdiff_t>(at),
                   postings.end());
  return {.query_terms = 8,
          .postings_per_term = 10,
          .rescore = 30,
          .exact_below_postings = postings[at]};
}

template <typename T>
bool SameBytes(const FrozenArray<T>& a, const FrozenArray<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// (document, score bits) of every document in `acc`, sorted.
std::vector<std::pair<int32_t, uint32_t>> Scores(const ScoreAccumulator& acc) {
  std::vector<std::pair<int32_t, uint32_t>> all;
  for (int32_t d : acc.touched()) {
    uint32_t bits;
    const float s = acc.score(d);
    std::memcpy(&bits, &s, sizeof bits);
    all.emplace_back(d, bits);
  }
  std::sort(all.begin(), all.end());
  return all;
}

// Lists as (document, score bits), to compare scores bit for bit.
std::vector<std::vector<std::pair<int32_t, uint32_t>>> Lists(const RelatedIndex& index,
                                                             const RankOptions& options) {
  std::vector<std::vector<std::pair<int32_t, uint32_t>>> out;
  for (const std::vector<Related>& list : index.AllTopK(options, 2)) {
    out.emplace_back();
    for (const Related& r : list) {
      uint32_t bits;
      std::memcpy(&bits, &r.score, sizeof bits);
      out.back().emplace_back(r.doc, bits);
    }
  }
  return out;
}

// Real weights tie often (same tf, same length): a cut term's kept prefix must
// break ties at its boundary by document as the full index does. Term 0 is in
// every row with one of three weights, so hundreds of postings tie with the
// prefix's last; terms 1 and 2 fill the rows. Whatever the thread count, the
// cut term's stored postings are the full index's first `kept`.
TEST(CutIndexTiesTest, KeepsTheFullPrefixAcrossTiedWeights) {
  constexpr int kRows = 3000;
  std::vector<Eigen::Triplet<float>> entries;
  for (int r = 0; r < kRows; ++r) {
    const float w0 = 0.3f + 0.1f * static_cast<float>((r * 7) % 3);
    entries.emplace_back(r, 0, w0);
    entries.emplace_back(r, 1 + r % 2, std::sqrt(1.0f - w0 * w0));
  }
  SparseMatrix m(kRows, 3);
  m.setFromTriplets(entries.begin(), entries.end());
  m.makeCompressed();
  const SparseMatrixView view = ViewOf(m);
  const SimilarityIndex full(view);
  // Pruned everywhere (no row is cheap enough for the exact path).
  const Pruning pruning{.query_terms = 2, .postings_per_term = 700, .rescore = 10};
  const auto& fp = full.parts();
  for (int threads : {1, 2, 3}) {
    const SimilarityIndex cut = SimilarityIndex::ForPruning(view, pruning, threads);
    ASSERT_TRUE(cut.cut());
    const auto& cp = cut.parts();
    for (int32_t t = 0; t < 3; ++t) {
      const int64_t kept = cp.postings_start[static_cast<size_t>(t) + 1] - cp.postings_start[t];
      ASSERT_EQ(kept, 700) << "term " << t;
      for (int64_t k = 0; k < kept; ++k) {
        ASSERT_EQ(cp.postings_doc[static_cast<size_t>(cp.postings_start[t] + k)],
                  fp.postings_doc[static_cast<size_t>(fp.postings_start[t] + k)])
            << "term " << t << " posting " << k << " threads " << threads;
        ASSERT_EQ(cp.postings_weight[static_cast<size_t>(cp.postings_start[t] + k)],
                  fp.postings_weight[static_cast<size_t>(fp.postings_start[t] + k)]);
      }
    }
  }
}

// Both indexes are built once for the suite: they are only read.
class CutIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    full_ = RelatedIndex::Build(Corpus()).release();
    pruning_ = SmallPruning(full_->similarity(), full_->embeddings().matrix());
    cut_ = RelatedIndex::Build(Corpus(), {}, RelatedIndex::Use::kBatch, pruning_).release();
  }
  static void TearDownTestSuite() {
    delete full_;
    delete cut_;
  }

  static const RelatedIndex* full_;
  static const RelatedIndex* cut_;
  static Pruning pruning_;
  const SparseMatrixView m_ = full_->embeddings().matrix();
};
const RelatedIndex* CutIndexTest::full_ = nullptr;
const RelatedIndex* CutIndexTest::cut_ = nullptr;
Pruning CutIndexTest::pruning_;

// The cut index answers every row as the full index, at the level of the
// scores (each path: Score when pruned, ScoreTop when exact) and of the lists.
TEST_F(CutIndexTest, RanksEveryRowAsTheFullIndex) {
  const SimilarityIndex& full = full_->similarity();
  const SimilarityIndex& cut = cut_->similarity();
  ASSERT_TRUE(cut.cut());
  EXPECT_LT(cut.parts().postings_doc.size(), static_cast<size_t>(m_.nonZeros()) * 97 / 100);
  EXPECT_EQ(full.parts().postings_doc.size(), static_cast<size_t>(m_.nonZeros()));
  int exact = 0, pruned = 0;
  ScoreAccumulator a(full.num_docs()), b(full.num_docs());
  for (int32_t d = 0; d < m_.rows(); ++d) {
    const SparseRow row = RowOf(m_, d);
    ASSERT_EQ(cut.Postings(row), full.Postings(row)) << "doc " << d;
    if (pruning_.ScoresExactly(full.Postings(row))) {
      ++exact;
      EXPECT_EQ(cut.ScoreTop(row, 15, &a), full.ScoreTop(row, 15, &b)) << "doc " << d;
    } else {
      ++pruned;
      cut.Score(row, pruning_, &a);
      full.Score(row, pruning_, &b);
    }
    ASSERT_EQ(Scores(a), Scores(b)) << "doc " << d;
    a.Clear();
    b.Clear();
  }
  EXPECT_GT(exact, 30);
  EXPECT_GT(pruned, 1000);
  RankOptions options;
  options.pruning = pruning_;
  EXPECT_EQ(Lists(*cut_, options), Lists(*full_, options));
}

// Options the index was not cut for read postings it does not hold: the
// guard recovers them, and the lists stay the full index's.
TEST_F(CutIndexTest, OtherOptionsStillRankAsTheFullIndex) {
  Pruning longer = pruning_;  // reads past every cut term's prefix
  longer.postings_per_term = 100;
  Pruning more_exact = pruning_;  // exact path on terms that were cut
  more_exact.exact_below_postings = pruning_.exact_below_postings * 11 / 10;
  Pruning all_pruned = pruning_;
  all_pruned.exact_below_postings = 0;
  for (const Pruning& p : {Pruning{}, longer, more_exact, all_pruned}) {
    RankOptions options;
    options.pruning = p;
    EXPECT_EQ(Lists(*cut_, options), Lists(*full_, options))
        << "postings_per_term " << p.postings_per_term << ", exact_below_postings "
        << p.exact_below_postings;
  }
  // And MMR, which takes a larger candidate pool.
  RankOptions mmr;
  mmr.pruning = more_exact;
  mmr.mmr_lambda = 0.7f;
  EXPECT_EQ(Lists(*cut_, mmr), Lists(*full_, mmr));
}

// Each cut term holds exactly the full index's first postings, in its order;
// the others all of theirs; and the index is the same on 1, 2 or 3 threads.
TEST_F(CutIndexTest, HoldsTheFullIndexPrefixWhateverTheThreads) {
  const SimilarityIndex one = SimilarityIndex::ForPruning(m_, pruning_, 1);
  const SimilarityIndex two = SimilarityIndex::ForPruning(m_, pruning_, 2);
  const SimilarityIndex three = SimilarityIndex::ForPruning(m_, pruning_, 3);
  for (const SimilarityIndex* other : {&two, &three}) {
    const SimilarityIndex::Parts& a = one.parts();
    const SimilarityIndex::Parts& b = other->parts();
    EXPECT_TRUE(SameBytes(a.postings_start, b.postings_start));
    EXPECT_TRUE(SameBytes(a.postings_doc, b.postings_doc));
    EXPECT_TRUE(SameBytes(a.postings_weight, b.postings_weight));
    EXPECT_TRUE(SameBytes(a.band_norm, b.band_norm));
    EXPECT_TRUE(SameBytes(a.heavy_norm, b.heavy_norm));
    EXPECT_TRUE(SameBytes(a.heavy_order_start, b.heavy_order_start));
    EXPECT_TRUE(SameBytes(a.heavy_order, b.heavy_order));
  }
  const SimilarityIndex::Parts& cut = one.parts();
  const SimilarityIndex::Parts& full = full_->similarity().parts();
  EXPECT_TRUE(SameBytes(cut.band_norm, full.band_norm));
  EXPECT_TRUE(SameBytes(cut.heavy_norm, full.heavy_norm));
  EXPECT_TRUE(SameBytes(cut.heavy_order, full.heavy_order));
  // Terms some exact-path row holds: never cut.
  std::vector<bool> read_in_full(static_cast<size_t>(m_.cols()));
  for (int32_t d = 0; d < m_.rows(); ++d) {
    const SparseRow row = RowOf(m_, d);
    if (!pruning_.ScoresExactly(full_->similarity().Postings(row))) continue;
    for (int64_t i = 0; i < row.size; ++i) read_in_full[static_cast<size_t>(row.term[i])] = true;
  }
  int cut_terms = 0;
  for (int32_t t = 0; t < m_.cols(); ++t) {
    const size_t t0 = static_cast<size_t>(t);
    const int64_t stored = cut.postings_start[t0 + 1] - cut.postings_start[t0];
    const int64_t df = full.postings_start[t0 + 1] - full.postings_start[t0];
    if (!read_in_full[t0] && df > pruning_.postings_per_term) {
      ++cut_terms;
      ASSERT_EQ(stored, pruning_.postings_per_term) << "term " << t;
    } else {
      ASSERT_EQ(stored, df) << "term " << t;
    }
    for (int64_t k = 0; k < stored; ++k) {
      const auto at = static_cast<size_t>(cut.postings_start[t0] + k);
      const auto full_at = static_cast<size_t>(full.postings_start[t0] + k);
      ASSERT_EQ(cut.postings_doc[at], full.postings_doc[full_at]) << "term " << t << " at " << k;
      ASSERT_EQ(cut.postings_weight[at], full.postings_weight[full_at])
          << "term " << t << " at " << k;
    }
  }
  EXPECT_GT(cut_terms, 500);
}

// Without pruning every query may read every posting: nothing is cut, and
// as no query reads a prefix, the postings stay in document order (so the
// parts are not the full index's and must not reach a snapshot either).
TEST_F(CutIndexTest, ExactPruningCutsNothingAndOrdersNoPrefix) {
  const SimilarityIndex exact = SimilarityIndex::ForPruning(m_, Pruning{});
  EXPECT_TRUE(exact.cut());
  const SimilarityIndex::Parts& e = exact.parts();
  const SimilarityIndex::Parts& full = full_->similarity().parts();
  EXPECT_TRUE(SameBytes(e.postings_start, full.postings_start));
  EXPECT_TRUE(SameBytes(e.band_norm, full.band_norm));
  EXPECT_TRUE(SameBytes(e.heavy_order, full.heavy_order));
  for (size_t t = 0; t + 1 < e.postings_start.size(); ++t) {
    std::vector<std::pair<int32_t, float>> mine, theirs;
    for (int64_t k = e.postings_start[t]; k < e.postings_start[t + 1]; ++k) {
      mine.emplace_back(e.postings_doc[static_cast<size_t>(k)],
                        e.postings_weight[static_cast<size_t>(k)]);
      theirs.emplace_back(full.postings_doc[static_cast<size_t>(k)],
                          full.postings_weight[static_cast<size_t>(k)]);
    }
    ASSERT_TRUE(std::is_sorted(mine.begin(), mine.end())) << "term " << t;
    std::sort(theirs.begin(), theirs.end());
    ASSERT_EQ(mine, theirs) << "term " << t;
  }
}

// An index left in document order (here: cut for a pruning under which every
// row takes the exact path) still answers a pruned query, which reads the
// heaviest postings of each term, exactly as the full index.
TEST_F(CutIndexTest, DocumentOrderedIndexStillRanksAsTheFullIndex) {
  Pruning none_pruned = pruning_;
  none_pruned.exact_below_postings = std::numeric_limits<int64_t>::max();
  auto ordered = RelatedIndex::Build(Corpus(), {}, RelatedIndex::Use::kBatch, none_pruned);
  const SimilarityIndex& in_doc_order = ordered->similarity();
  ASSERT_TRUE(in_doc_order.cut());
  EXPECT_EQ(in_doc_order.parts().postings_doc.size(), static_cast<size_t>(m_.nonZeros()));
  ScoreAccumulator a(in_doc_order.num_docs()), b(in_doc_order.num_docs());
  int pruned = 0;
  for (int32_t d = 0; d < m_.rows(); ++d) {
    const SparseRow row = RowOf(m_, d);
    if (pruning_.ScoresExactly(full_->similarity().Postings(row))) continue;
    ++pruned;
    in_doc_order.Score(row, pruning_, &a);
    full_->similarity().Score(row, pruning_, &b);
    ASSERT_EQ(Scores(a), Scores(b)) << "doc " << d;
    a.Clear();
    b.Clear();
  }
  EXPECT_GT(pruned, 1000);
  for (const Pruning& p : {none_pruned, pruning_, Pruning{}}) {
    RankOptions options;
    options.pruning = p;
    EXPECT_EQ(Lists(*ordered, options), Lists(*full_, options))
        << "exact_below_postings " << p.exact_below_postings;
  }
}

// A cut index is not the index of its matrix: never written to a snapshot,
// even with a vocabulary (a kBatch model has none, refused anyway).
TEST_F(CutIndexTest, IsNeverWrittenToASnapshot) {
  Embeddings embeddings = full_->embeddings();
  SimilarityIndex cut = SimilarityIndex::ForPruning(embeddings.matrix(), pruning_);
  auto with_vocabulary =
      RelatedIndex::FromEmbeddings(ArticleTable::Of(Corpus()), std::move(embeddings), std::move(cut));
  ASSERT_TRUE(with_vocabulary.ok()) << with_vocabulary.status();
  ASSERT_TRUE((*with_vocabulary)->similarity().cut());
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / "cut_index_test.snap";
  std::filesystem::remove(path);
  const absl::Status s = WriteIndexSnapshot(path, **with_vocabulary);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(WriteIndexSnapshot(path, *cut_).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace seealso
