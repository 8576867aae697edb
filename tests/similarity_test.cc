// SimilarityIndex::ScoreTop: the want best documents of a query, exactly as
// scoring every posting would find them, while skipping most postings.
#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <random>
#include <vector>

#include "embeddings/front_matter.h"
#include "gen/generator.h"
#include "gtest/gtest.h"
#include "tests/generated_articles.h"
#include "scoring/pair_dot_cache.h"
#include "scoring/related_index.h"
#include "scoring/similarity.h"

namespace seealso {
namespace {

// Unit rows with `terms` columns whose document frequencies follow a power
// law, like words: a few terms in most rows, most terms in a few.
SparseMatrix RandomMatrix(int rows, int terms, int per_row, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Eigen::Triplet<float, int32_t>> entries;
  for (int r = 0; r < rows; ++r) {
    std::vector<int32_t> cols;
    for (int i = 0; i < per_row; ++i) {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      cols.push_back(static_cast<int32_t>(std::pow(u, 3.0) * terms));
    }
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    double norm2 = 0;
    std::vector<float> w;
    for (size_t i = 0; i < cols.size(); ++i) {
      w.push_back(std::uniform_real_distribution<float>(0.05f, 1.0f)(rng));
      norm2 += w.back() * w.back();
    }
    for (size_t i = 0; i < cols.size(); ++i) {
      entries.emplace_back(r, cols[i], static_cast<float>(w[i] / std::sqrt(norm2)));
    }
  }
  SparseMatrix m(rows, terms);
  m.setFromTriplets(entries.begin(), entries.end());
  m.makeCompressed();
  return m;
}

// Every document's exact score, scoring every posting.
std::vector<std::pair<int32_t, float>> Exhaustive(const SimilarityIndex& sim, SparseRow q) {
  ScoreAccumulator acc(sim.num_docs());
  sim.ScoreExact(q, &acc);
  std::vector<std::pair<int32_t, float>> all;
  for (int32_t d : acc.touched()) all.emplace_back(d, acc.score(d));
  std::sort(all.begin(), all.end());
  return all;
}

// ScoreTop must give every document with its exhaustive score, bit for bit
// (returning true), or exactly those scoring >= the want-th best score
// (returning false). Returns what it returned.
bool ExpectTopMatches(const SimilarityIndex& sim, SparseRow q, int want) {
  const std::vector<std::pair<int32_t, float>> all = Exhaustive(sim, q);
  ScoreAccumulator acc(sim.num_docs());
  const bool complete = sim.ScoreTop(q, want, &acc);
  std::vector<std::pair<int32_t, float>> got;
  for (int32_t d : acc.touched()) got.emplace_back(d, acc.score(d));
  std::sort(got.begin(), got.end());
  if (complete) {
    EXPECT_EQ(got, all) << "want " << want;
    return true;
  }
  std::vector<float> scores;
  for (const auto& [d, s] : all) scores.push_back(s);
  std::sort(scores.rbegin(), scores.rend());
  EXPECT_GE(scores.size(), static_cast<size_t>(want));
  const float cut = scores[std::min(scores.size(), static_cast<size_t>(want)) - 1];
  std::vector<std::pair<int32_t, float>> expected;
  for (const auto& [d, s] : all) {
    if (s >= cut) expected.emplace_back(d, s);
  }
  EXPECT_EQ(got, expected) << "want " << want;
  return false;
}

TEST(SimilarityTest, ScoreTopMatchesExhaustiveOnRandomMatrices) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const SparseMatrix m = RandomMatrix(3000, 4000, 60, seed);
    const SimilarityIndex sim(m);
    int bounded = 0;
    for (int32_t doc = 0; doc < m.rows(); doc += 97) {
      for (int want : {1, 7, 29, 200}) bounded += !ExpectTopMatches(sim, RowOf(m, doc), want);
    }
    EXPECT_GT(bounded, 20);  // the bounded path ran, not only the exhaustive one
  }
}

TEST(SimilarityTest, ScoreTopKeepsEveryTieAtTheCut) {
  // Ten copies of one row: all tie with the query at the cut.
  SparseMatrix base = RandomMatrix(3000, 4000, 60, 9);
  std::vector<Eigen::Triplet<float, int32_t>> entries;
  for (int32_t r = 0; r < base.rows(); ++r) {
    const int32_t src = r < 10 ? 0 : r;
    const SparseRow row = RowOf(base, src);
    for (int64_t i = 0; i < row.size; ++i) entries.emplace_back(r, row.term[i], row.weight[i]);
  }
  SparseMatrix m(base.rows(), base.cols());
  m.setFromTriplets(entries.begin(), entries.end());
  m.makeCompressed();
  const SimilarityIndex sim(m);
  ScoreAccumulator acc(sim.num_docs());
  ASSERT_FALSE(sim.ScoreTop(RowOf(m, 0), 3, &acc));  // the bounded path
  EXPECT_EQ(acc.touched().size(), 10u);               // all ten copies score 1
  acc.Clear();
  ExpectTopMatches(sim, RowOf(m, 0), 3);
}

TEST(SimilarityTest, ScoreTopOnGeneratedArticlesAndCommonWordDrafts) {
  GeneratorOptions o;
  o.n = 2000;
  o.seed = 5;
  o.vocabulary = 20000;
  const std::vector<Article> articles = testing_util::GeneratedArticles(o);
  const Embeddings e = Embeddings::Build(articles, {});
  const SparseMatrixView m = e.matrix();
  const SimilarityIndex sim(m);
  int bounded = 0;
  for (int32_t doc = 0; doc < m.rows(); doc += 41) {
    for (int want : {1, 29, 60}) bounded += !ExpectTopMatches(sim, RowOf(m, doc), want);
  }
  EXPECT_GT(bounded, 10);
  // A draft of only the commonest words: every band is bounded at first.
  std::vector<std::pair<int64_t, int32_t>> by_df;
  for (int32_t t = 0; t < m.cols(); ++t) by_df.emplace_back(0, t);
  for (int64_t k = 0; k < m.nonZeros(); ++k) --by_df[m.innerIndexPtr()[k]].first;
  std::sort(by_df.begin(), by_df.end());
  SparseVector draft(m.cols());
  std::vector<int32_t> common;
  for (int i = 0; i < 3; ++i) common.push_back(by_df[i].second);
  std::sort(common.begin(), common.end());
  for (int32_t t : common) draft.insertBack(t) = 1.0f / std::sqrt(3.0f);
  for (int want : {1, 29, 5000}) ExpectTopMatches(sim, RowOf(draft), want);
}

// Through RelatedIndex: a filter that rejects most candidates runs out of the
// best ones, and the list must still be what exhaustive scoring gives.
TEST(SimilarityTest, RestrictiveFiltersStillGetTheExhaustiveList) {
  GeneratorOptions o;
  o.n = 1500;
  o.seed = 11;
  std::vector<Article> articles = testing_util::GeneratedArticles(o);
  auto index = RelatedIndex::Build(std::move(articles));
  const std::string subject(index->article(0).subject);
  RankOptions options{.k = 10, .include_subjects = {subject}, .near_duplicate_threshold = 2.0f};
  options.keep_near_copies_of_query = true;
  for (int32_t doc = 0; doc < index->size(); doc += 101) {
    // Brute force: every other article of the subject by cosine, then id.
    std::vector<std::pair<float, int64_t>> expected;
    for (int32_t d = 0; d < index->size(); ++d) {
      const float c = index->Cosine(doc, d);
      if (d != doc && c > 0 && index->article(d).subject == subject) {
        expected.emplace_back(-c, index->article(d).id);
      }
    }
    std::sort(expected.begin(), expected.end());
    expected.resize(std::min<size_t>(expected.size(), 10));
    std::vector<std::pair<float, int64_t>> got;
    for (const Related& r : index->TopK(doc, options)) {
      got.emplace_back(-r.score, index->article(r.doc).id);
    }
    EXPECT_EQ(got, expected) << "doc " << doc;
  }
}

// Drain hands over every touched document's sum once, in touched order, and
// leaves the accumulator as new: nothing touched, every sum zero, so the next
// query's sums start from zero (a pruned query is scored on top of the last).
TEST(ScoreAccumulatorTest, DrainHandsOverEachSumOnceAndResets) {
  ScoreAccumulator acc(1000);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::pair<int32_t, float>> want;
    for (int32_t d = round; d < 1000; d += 37) {
      acc.Add(d, 0.25f * static_cast<float>(d % 5 + 1));
      acc.Add(d, 0.5f);
      want.emplace_back(d, 0.25f * static_cast<float>(d % 5 + 1) + 0.5f);
    }
    acc.Add(999 - round, 0.0f);  // a zero never touches a document
    std::vector<std::pair<int32_t, float>> got;
    acc.Drain([&](int32_t d, float score) { got.emplace_back(d, score); });
    EXPECT_EQ(got, want) << "round " << round;
    EXPECT_TRUE(acc.touched().empty());
    for (int32_t d = 0; d < 1000; ++d) ASSERT_EQ(acc.score(d), 0.0f) << d;
  }
}

// Clear() zeroes every touched score, whether few documents are touched
// (one store each) or most (the whole array at once), and the accumulator
// then sums afresh.
TEST(ScoreAccumulatorTest, ClearResetsFewOrMostTouchedDocuments) {
  ScoreAccumulator acc(1000);
  for (const int32_t step : {97, 3, 1}) {  // 11, 334 and 1000 documents touched
    SCOPED_TRACE(step);
    for (int32_t d = 0; d < 1000; d += step) acc.Add(d, 1.0f + static_cast<float>(d));
    ASSERT_EQ(acc.touched().size(), static_cast<size_t>((999 / step) + 1));
    acc.Clear();
    EXPECT_TRUE(acc.touched().empty());
    for (int32_t d = 0; d < 1000; ++d) ASSERT_EQ(acc.score(d), 0.0f) << d;
    acc.Add(5, 0.5f);
    acc.Add(5, 0.25f);
    ASSERT_EQ(acc.touched().size(), 1u);
    EXPECT_EQ(acc.score(5), 0.75f);
    acc.Clear();
  }
}

// The scattered query row gives Dot()'s sums bit for bit, by either gather,
// for rows of every size (empty, one term, many), sparse or dense in a
// vocabulary, and rows sharing no term; and leaves its scratch zeroed.
TEST(ScatteredRowTest, DotIsBitIdenticalToTheMerge) {
  std::mt19937 rng(11);
  auto random_row = [&](int size, int32_t max_term, std::vector<int32_t>* terms,
                        std::vector<float>* weights) {
    terms->clear();
    weights->clear();
    while (static_cast<int>(terms->size()) < size) {
      terms->push_back(std::uniform_int_distribution<int32_t>(0, max_term)(rng));
      std::sort(terms->begin(), terms->end());
      terms->erase(std::unique(terms->begin(), terms->end()), terms->end());
    }
    for (size_t i = 0; i < terms->size(); ++i) {
      weights->push_back(std::uniform_real_distribution<float>(0.001f, 1.0f)(rng));
    }
    return SparseRow{terms->data(), weights->data(), static_cast<int64_t>(terms->size())};
  };
  std::vector<int32_t> qt, dt;
  std::vector<float> qw, dw;
  std::vector<uint64_t> filter(ScatteredRow::kFilterWords, 0);
  for (int size : {0, 1, 3, 4, 5, 17, 64, 300, 1000}) {
    for (int32_t max_term : {50, 5000, 1'000'000}) {
      if (size > max_term) continue;
      std::vector<float> scratch(static_cast<size_t>(max_term) + 1, 0.0f);
      const SparseRow query = random_row(size, max_term, &qt, &qw);
      {
        const ScatteredRow scattered(query, {scratch.data(), filter.data()});
        for (int trial = 0; trial < 20; ++trial) {
          const SparseRow doc =
              random_row(std::min(trial * 13 % 400, max_term), max_term, &dt, &dw);
          ASSERT_EQ(scattered.Dot(doc), Dot(query, doc)) << size << " " << max_term;
          ASSERT_EQ(std::bit_cast<uint32_t>(scattered.DotOfOverlapping(doc)),
                    std::bit_cast<uint32_t>(Dot(query, doc)))
              << size << " " << max_term;
        }
      }
      ASSERT_TRUE(std::all_of(scratch.begin(), scratch.end(), [](float x) { return x == 0.0f; }));
      ASSERT_TRUE(std::all_of(filter.begin(), filter.end(), [](uint64_t x) { return x == 0; }));
    }
  }
}

// PairDotCache keys a pair either way round because the dot is symmetric
// bit for bit, through the merge and through a scattered row either way.
TEST(ScatteredRowTest, DotIsSymmetricBitForBit) {
  std::mt19937 rng(23);
  constexpr int32_t kTerms = 3000;
  std::vector<float> dense(kTerms, 0.0f);
  std::vector<uint64_t> filter(ScatteredRow::kFilterWords, 0);
  auto random_row = [&](std::vector<int32_t>* terms, std::vector<float>* weights) {
    std::set<int32_t> t;
    const int size = std::uniform_int_distribution<int>(0, 400)(rng);
    while (static_cast<int>(t.size()) < size) {
      t.insert(std::uniform_int_distribution<int32_t>(0, kTerms - 1)(rng));
    }
    terms->assign(t.begin(), t.end());
    weights->clear();
    for (size_t i = 0; i < terms->size(); ++i) {
      weights->push_back(std::ldexp(std::uniform_real_distribution<float>(0.5f, 1.0f)(rng),
                                    std::uniform_int_distribution<int>(-20, 0)(rng)));
    }
    return SparseRow{terms->data(), weights->data(), static_cast<int64_t>(terms->size())};
  };
  std::vector<int32_t> at, bt;
  std::vector<float> aw, bw;
  for (int trial = 0; trial < 300; ++trial) {
    const SparseRow a = random_row(&at, &aw);
    const SparseRow b = random_row(&bt, &bw);
    const uint32_t ab = std::bit_cast<uint32_t>(Dot(a, b));
    ASSERT_EQ(std::bit_cast<uint32_t>(Dot(b, a)), ab);
    {
      const ScatteredRow sa(a, {dense.data(), filter.data()});
      ASSERT_EQ(std::bit_cast<uint32_t>(sa.DotOfOverlapping(b)), ab);
    }
    const ScatteredRow sb(b, {dense.data(), filter.data()});
    ASSERT_EQ(std::bit_cast<uint32_t>(sb.DotOfOverlapping(a)), ab);
  }
}

TEST(PairDotCacheTest, RemembersAPairEitherWayRoundAndNeverAnotherPairsDot) {
  PairDotCache cache;
  EXPECT_EQ(cache.Find(3, 7), nullptr);
  cache.Put(7, 3, 0.25f);
  ASSERT_NE(cache.Find(3, 7), nullptr);
  EXPECT_EQ(*cache.Find(3, 7), 0.25f);
  EXPECT_EQ(*cache.Find(7, 3), 0.25f);
  EXPECT_EQ(cache.Find(3, 8), nullptr);
  cache.Put(3, 7, 0.5f);  // the latest value wins
  EXPECT_EQ(*cache.Find(7, 3), 0.5f);
  // Dot computes only what is not remembered, and remembers it.
  int computed = 0;
  auto compute = [&] { return ++computed, 0.75f; };
  EXPECT_EQ(cache.Dot(7, 3, compute), 0.5f);
  EXPECT_EQ(computed, 0);
  EXPECT_EQ(cache.Dot(9, 4, compute), 0.75f);
  EXPECT_EQ(cache.Dot(4, 9, compute), 0.75f);
  EXPECT_EQ(computed, 1);
  // More pairs than slots: some are evicted, but a pair found has its own dot.
  const int n = (1 << PairDotCache::kLogSlots) + 5000;
  auto dot_of = [](int32_t a, int32_t b) { return static_cast<float>(a) * 1e-3f + static_cast<float>(b); };
  for (int32_t i = 0; i < n; ++i) cache.Put(i, i + 1 + i % 7, dot_of(i, i + 1 + i % 7));
  int found = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (const float* d = cache.Find(i + 1 + i % 7, i)) {
      ++found;
      ASSERT_EQ(*d, dot_of(i, i + 1 + i % 7)) << i;
    }
  }
  EXPECT_GT(found, n / 2);
  EXPECT_LE(found, 1 << PairDotCache::kLogSlots);
  EXPECT_LT(found, n);
}

// With a cache shared by consecutive queries (as batch ranking shares one
// per thread), ScoreTop gives the same scores bit for bit; and a remembered
// score is taken as it stands (a wrong one shows: the cache is read).
TEST(SimilarityTest, ScoreTopWithAPairCacheGivesTheSameScores) {
  const SparseMatrix m = RandomMatrix(3000, 4000, 60, 3);
  const SimilarityIndex sim(m);
  PairDotCache cache;
  ScoreAccumulator a(sim.num_docs()), b(sim.num_docs());
  auto scores = [](const ScoreAccumulator& acc) {
    std::vector<std::pair<int32_t, uint32_t>> all;
    for (int32_t d : acc.touched()) all.emplace_back(d, std::bit_cast<uint32_t>(acc.score(d)));
    std::sort(all.begin(), all.end());
    return all;
  };
  int bounded = 0;
  for (int32_t doc = 0; doc < 600; ++doc) {
    // Neighbouring queries twice over, so that many pairs come back.
    const int32_t q = doc % 300;
    const bool complete = sim.ScoreTop(RowOf(m, q), 15, &a, &cache, q);
    ASSERT_EQ(sim.ScoreTop(RowOf(m, q), 15, &b), complete) << q;
    ASSERT_EQ(scores(a), scores(b)) << q;
    bounded += !complete;
    a.Clear();
    b.Clear();
  }
  EXPECT_GT(bounded, 100);
  // Poisoned: the query's best other document remembered 0.25 higher.
  const int32_t q = 5;
  ASSERT_FALSE(sim.ScoreTop(RowOf(m, q), 15, &b));
  int32_t best = -1;
  for (int32_t d : b.touched()) {
    if (d != q && (best < 0 || b.score(d) > b.score(best))) best = d;
  }
  ASSERT_GE(best, 0);
  cache.Put(q, best, b.score(best) + 0.25f);
  sim.ScoreTop(RowOf(m, q), 15, &a, &cache, q);
  EXPECT_EQ(a.score(best), b.score(best) + 0.25f);
}

// The filter in front of the dense array must never turn away a term the
// row holds, and terms that pass it without being in the row (they share a
// filter bit) must add nothing: against a brute-force dot product (every
// pair of terms compared, summed in term order) on rows built from the
// query's terms, their neighbours, and other terms hashing to the query's
// filter bits; with weights spanning many binades, so that a sum in another
// order or a missing or extra term would show.
TEST(ScatteredRowTest, FilterCollisionsAndOverlapsMatchBruteForce) {
  std::mt19937 rng(5);
  constexpr int32_t kTerms = 20'000'000;
  auto weight = [&] {
    return std::ldexp(std::uniform_real_distribution<float>(0.5f, 1.0f)(rng),
                      std::uniform_int_distribution<int>(-30, 0)(rng));
  };
  // b's terms in order, each looked up in a map of a's.
  auto brute_force = [](SparseRow a, SparseRow b) {
    std::map<int32_t, float> a_weight;
    for (int64_t i = 0; i < a.size; ++i) a_weight[a.term[i]] = a.weight[i];
    float sum = 0;
    for (int64_t j = 0; j < b.size; ++j) {
      if (auto it = a_weight.find(b.term[j]); it != a_weight.end()) sum += it->second * b.weight[j];
    }
    return sum;
  };
  std::vector<float> dense(kTerms, 0.0f);
  std::vector<uint64_t> filter(ScatteredRow::kFilterWords, 0);
  for (int round = 0; round < 30; ++round) {
    std::set<int32_t> q_terms;
    const int q_size = std::uniform_int_distribution<int>(20, 500)(rng);
    while (static_cast<int>(q_terms.size()) < q_size) {
      q_terms.insert(std::uniform_int_distribution<int32_t>(0, kTerms - 1)(rng));
    }
    // Terms outside the query that set the same filter bit as one of its terms.
    std::vector<bool> query_bit(size_t{1} << ScatteredRow::kFilterLogBits);
    for (int32_t t : q_terms) query_bit[ScatteredRow::FilterBit(t)] = true;
    std::vector<int32_t> colliding;
    for (int32_t t = round; colliding.size() < 200 && t < kTerms; ++t) {
      if (query_bit[ScatteredRow::FilterBit(t)] && q_terms.count(t) == 0) colliding.push_back(t);
    }
    ASSERT_EQ(colliding.size(), 200u);
    std::vector<int32_t> qt(q_terms.begin(), q_terms.end());
    std::vector<float> qw;
    for (size_t i = 0; i < qt.size(); ++i) qw.push_back(weight());
    const SparseRow query{qt.data(), qw.data(), static_cast<int64_t>(qt.size())};
    {
      const ScatteredRow scattered(query, {dense.data(), filter.data()});
      for (int trial = 0; trial < 40; ++trial) {
        std::set<int32_t> d_terms;
        const int kind = trial % 4;
        for (int32_t t : qt) {
          // all of the query (kind 0), about half, or none (kind 3)
          if (kind == 0 || (kind != 3 && rng() % 2 == 0)) d_terms.insert(t);
          if (kind >= 1 && rng() % 3 == 0) {  // neighbours of the query's terms
            if (t > 0) d_terms.insert(t - 1);
            if (t + 1 < kTerms) d_terms.insert(t + 1);
          }
        }
        for (int32_t t : colliding) {
          if (rng() % 2 == 0) d_terms.insert(t);
        }
        for (int i = 0; i < 50; ++i) {
          d_terms.insert(std::uniform_int_distribution<int32_t>(0, kTerms - 1)(rng));
        }
        std::vector<int32_t> dt(d_terms.begin(), d_terms.end());
        std::vector<float> dw;
        for (size_t i = 0; i < dt.size(); ++i) dw.push_back(weight());
        const SparseRow doc{dt.data(), dw.data(), static_cast<int64_t>(dt.size())};
        const float expected = brute_force(query, doc);
        ASSERT_EQ(std::bit_cast<uint32_t>(scattered.Dot(doc)), std::bit_cast<uint32_t>(expected))
            << "round " << round << " trial " << trial;
        ASSERT_EQ(std::bit_cast<uint32_t>(scattered.DotOfOverlapping(doc)),
                  std::bit_cast<uint32_t>(expected))
            << "round " << round << " trial " << trial;
        ASSERT_EQ(std::bit_cast<uint32_t>(Dot(query, doc)), std::bit_cast<uint32_t>(expected));
      }
    }
    ASSERT_TRUE(std::all_of(filter.begin(), filter.end(), [](uint64_t x) { return x == 0; }));
    for (int32_t t : qt) ASSERT_EQ(dense[t], 0.0f);
  }
}

}  // namespace
}  // namespace seealso
