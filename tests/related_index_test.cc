// Top-k ranking: order, self-exclusion, id/URL dedup, batch equals single.
#include "scoring/related_index.h"

#include <array>
#include <bit>
#include <random>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "embeddings/corpus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/generated_articles.h"

namespace seealso {
namespace {

using ::testing::ElementsAre;

// Text goes in the question; the title stays empty (never deduplicated) unless given.
Article Doc(int64_t id, std::string text, std::string url = "", std::string title = "",
            std::string subject = "") {
  Article a;
  a.id = id;
  a.question = std::move(text);
  a.url = url.empty() ? "/q/" + std::to_string(id) : std::move(url);
  a.title = std::move(title);
  a.subject = std::move(subject);
  return a;
}

// Only identity and address dedup: content dedup off.
RankOptions NoContentDedup(int k) {
  RankOptions o;
  o.k = k;
  o.near_duplicate_threshold = 2.0f;
  return o;
}

std::vector<int64_t> Ids(const RelatedIndex& idx, const std::vector<Related>& list) {
  std::vector<int64_t> ids;
  for (const Related& r : list) ids.push_back(idx.article(r.doc).id);
  return ids;
}

TEST(CanonicalUrlTest, IgnoresCaseSlashesQueryAndFragment) {
  EXPECT_EQ(CanonicalUrl("/learn/A//b/"), "/learn/a/b");
  EXPECT_EQ(CanonicalUrl("/learn/a/b?utm=1#top"), "/learn/a/b");
  EXPECT_EQ(CanonicalUrl("https://Example.com/learn/a/b"), "/learn/a/b");
  EXPECT_EQ(CanonicalUrl("/"), "/");
  EXPECT_EQ(CanonicalUrl(""), "");
}

TEST(RelatedIndexTest, RanksByCosineAndNeverReturnsSelf) {
  auto idx = RelatedIndex::Build({Doc(1, "graph coloring algorithms"),
                                  Doc(2, "graph coloring"),
                                  Doc(3, "graph algorithms survey"),
                                  Doc(4, "cooking pasta")});
  // Content dedup off: "graph coloring" is close enough to be a near copy of the query.
  const auto list = idx->TopK(*idx->Find(1), NoContentDedup(10));
  // Article 4 shares no term with article 1: it is not related at all.
  ASSERT_EQ(Ids(*idx, list), (std::vector<int64_t>{2, 3}));
  EXPECT_GT(list[0].score, list[1].score);
  EXPECT_LE(list[0].score, 1.0f);
}

// Releasing an article's text returns its buffers (an emptied std::string
// may keep its buffer, which once kept every article's text alive).
TEST(ArticleTest, ReleaseTextReturnsTheBuffers) {
  const std::string long_text(4000, 'x');
  Article a = Doc(1, "graph coloring " + long_text, "/q/1", "Graph coloring");
  a.answer = long_text;
  a.keywords = long_text;
  a.description = long_text;
  ReleaseText(a);
  const size_t none = std::string().capacity();
  EXPECT_EQ(a.question.capacity(), none);
  EXPECT_EQ(a.answer.capacity(), none);
  EXPECT_EQ(a.keywords.capacity(), none);
  EXPECT_EQ(a.description.capacity(), none);
  EXPECT_EQ(a.title, "Graph coloring");
}

// The index keeps what lists show and regen reports (the ids the old
// related blocks linked to), article by article, in its ArticleTable.
TEST(RelatedIndexTest, KeepsMetadataAndOldLinkIds) {
  Article a = Doc(7, "graph coloring", "/q/7", "Graph coloring");
  a.path = "q/7.md";
  a.subject = "Graphs";
  a.related = {{9, "t", "s", "/q/9"}, {7, "self", "", "/q/7"}, {9, "again", "", "/q/9"}};
  Article b = Doc(9, "graph coloring bounds", "/q/9", "Bounds");
  auto idx = RelatedIndex::Build({b, a});  // not in id order
  const int32_t d = *idx->Find(7);
  const ArticleMeta kept = idx->article(d);
  EXPECT_EQ(kept.id, 7);
  EXPECT_EQ(kept.path, "q/7.md");
  EXPECT_EQ(kept.title, "Graph coloring");
  EXPECT_EQ(kept.subject, "Graphs");
  EXPECT_EQ(kept.url, "/q/7");
  EXPECT_THAT(idx->articles().related_ids(static_cast<size_t>(d)), ElementsAre(9, 7, 9));
  EXPECT_TRUE(idx->articles().related_ids(static_cast<size_t>(*idx->Find(9))).empty());
  EXPECT_EQ(idx->canonical_url(d), "/q/7");
}

TEST(RelatedIndexTest, KLimitsTheList) {
  auto idx = RelatedIndex::Build(
      {Doc(1, "p q r"), Doc(2, "p q"), Doc(3, "p r"), Doc(4, "q r"), Doc(5, "p")});
  EXPECT_EQ(idx->TopK(*idx->Find(1), NoContentDedup(2)).size(), 2u);
  EXPECT_EQ(idx->TopK(*idx->Find(1), NoContentDedup(10)).size(), 4u);
}

TEST(RelatedIndexTest, TiesAreBrokenByIdAscending) {
  auto idx = RelatedIndex::Build({Doc(50, "x y"), Doc(7, "x z"), Doc(9, "x z"), Doc(3, "x z")});
  EXPECT_EQ(Ids(*idx, idx->TopK(*idx->Find(50), NoContentDedup(3))),
            (std::vector<int64_t>{3, 7, 9}));
}

TEST(RelatedIndexTest, SameCanonicalUrlAppearsOnce) {
  // 2 and 3 are one page under two ids; 4 has the query's own URL.
  auto idx = RelatedIndex::Build({Doc(1, "tcp congestion control", "/learn/cs/tcp"),
                                  Doc(2, "tcp congestion", "/learn/cs/tcp-congestion"),
                                  Doc(3, "tcp congestion control", "/Learn/cs/tcp-congestion/"),
                                  Doc(4, "tcp control", "/learn/cs/tcp?ref=x"),
                                  Doc(5, "congestion pricing")});
  DedupStats stats;
  const auto ids = Ids(*idx, idx->TopK(*idx->Find(1), NoContentDedup(10), &stats));
  EXPECT_EQ(ids, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(stats.self, 1);
  EXPECT_EQ(stats.same_url, 2);
}

TEST(RelatedIndexTest, RefillsAfterDedupToReachK) {
  // Ten copies of one URL rank first; k = 3 still gets three distinct pages.
  std::vector<Article> docs = {Doc(1, "alpha beta gamma")};
  for (int i = 0; i < 10; ++i) docs.push_back(Doc(100 + i, "alpha beta gamma", "/same"));
  docs.push_back(Doc(200, "alpha beta"));
  docs.push_back(Doc(201, "alpha"));
  auto idx = RelatedIndex::Build(std::move(docs));
  EXPECT_EQ(Ids(*idx, idx->TopK(*idx->Find(1), NoContentDedup(3))),
            (std::vector<int64_t>{100, 200, 201}));
}

// Property: on random corpora and options, no list holds self, a repeated
// id/URL/title, a pair at or above the near-duplicate threshold, or a near copy
// of the query; without MMR lists are sorted by score then id; the batch path
// equals the single path for any thread count.
TEST(RelatedIndexTest, RandomCorporaKeepInvariants) {
  std::mt19937 rng(42);
  const std::vector<std::string> words = {"graph", "tree", "hash", "heap", "sort", "cache",
                                          "queue", "stack", "list", "trie"};
  const std::vector<std::string> titles = {"", "", "", "What is a heap?", "what is a HEAP",
                                           "Tries explained"};
  for (int round = 0; round < 40; ++round) {
    std::vector<Article> docs;
    const int n = 5 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      std::string text;
      for (int w = 0, len = 1 + static_cast<int>(rng() % 5); w < len; ++w) {
        text += words[rng() % words.size()] + " ";
      }
      docs.push_back(Doc(1000 + i, text, "/u/" + std::to_string(rng() % (n / 2 + 1)),
                         titles[rng() % titles.size()], rng() % 2 ? "A" : "B"));
    }
    auto idx = RelatedIndex::Build(std::move(docs));
    RankOptions opts;
    opts.k = 1 + static_cast<int>(rng() % 8);
    opts.near_duplicate_threshold = 0.5f + 0.1f * static_cast<float>(rng() % 6);
    opts.mmr_lambda = rng() % 3 == 0 ? 0.6f : 1.0f;
    opts.same_subject_boost = rng() % 2 ? 1.5f : 1.0f;
    const auto all1 = idx->AllTopK(opts, 1);
    const auto all3 = idx->AllTopK(opts, 3);
    for (int32_t d = 0; d < idx->size(); ++d) {
      const auto list = idx->TopK(d, opts);
      ASSERT_LE(static_cast<int>(list.size()), opts.k);
      absl::flat_hash_set<int64_t> ids = {idx->article(d).id};
      absl::flat_hash_set<std::string> urls = {CanonicalUrl(idx->article(d).url)};
      absl::flat_hash_set<std::string> seen_titles = {NormalizedTitle(idx->article(d).title)};
      for (size_t i = 0; i < list.size(); ++i) {
        const ArticleMeta a = idx->article(list[i].doc);
        EXPECT_TRUE(ids.insert(a.id).second);
        EXPECT_TRUE(urls.insert(CanonicalUrl(a.url)).second);
        if (!a.title.empty()) {
          EXPECT_TRUE(seen_titles.insert(NormalizedTitle(a.title)).second);
        }
        EXPECT_GT(list[i].score, 0.0f);
        EXPECT_LT(idx->Cosine(d, list[i].doc), opts.near_duplicate_threshold);
        for (size_t j = 0; j < i; ++j) {
          EXPECT_LT(idx->Cosine(list[j].doc, list[i].doc), opts.near_duplicate_threshold);
        }
        if (i > 0 && opts.mmr_lambda >= 1.0f) {
          EXPECT_TRUE(list[i - 1].score > list[i].score ||
                      (list[i - 1].score == list[i].score &&
                       idx->article(list[i - 1].doc).id < a.id));
        }
      }
      ASSERT_EQ(Ids(*idx, list), Ids(*idx, all1[d]));
      ASSERT_EQ(Ids(*idx, list), Ids(*idx, all3[d]));
    }
  }
}

// On a corpus large enough for the bounded path, many near copies and a
// walk that comes back to the same pairs: the batch (ParallelWalk, a pair
// cache per thread) gives each list exactly as ranking it alone does.
TEST(RelatedIndexTest, BatchWalkWithPairCachesEqualsSingleQueries) {
  GeneratorOptions g;
  g.n = 1500;
  g.seed = 4;
  auto idx = RelatedIndex::Build(testing_util::GeneratedArticles(g));
  for (const float threshold : {0.8f, 0.3f}) {
    RankOptions opts;
    opts.k = 10;
    opts.near_duplicate_threshold = threshold;
    DedupStats batch_stats, single_stats;
    const auto all = idx->AllTopK(opts, 2, &batch_stats);
    for (int32_t d = 0; d < idx->size(); ++d) {
      const auto list = idx->TopK(d, opts, &single_stats);
      ASSERT_EQ(list.size(), all[d].size()) << d;
      for (size_t i = 0; i < list.size(); ++i) {
        ASSERT_EQ(list[i].doc, all[d][i].doc) << d;
        ASSERT_EQ(std::bit_cast<uint32_t>(list[i].score), std::bit_cast<uint32_t>(all[d][i].score));
      }
    }
    EXPECT_EQ(batch_stats.near_duplicate, single_stats.near_duplicate);
    EXPECT_GT(batch_stats.near_duplicate, 0) << threshold;
  }
}

TEST(RelatedIndexTest, SameNormalisedTitleAppearsOnce) {
  auto idx = RelatedIndex::Build({Doc(1, "tcp handshake syn ack", "", "How does TCP work?"),
                                  Doc(2, "tcp handshake syn", "", "What is TCP?"),
                                  Doc(3, "tcp handshake", "", "what is  TCP"),
                                  Doc(4, "tcp", "", "how does tcp work"),
                                  Doc(5, "syn ack")});
  DedupStats stats;
  EXPECT_EQ(Ids(*idx, idx->TopK(*idx->Find(1), NoContentDedup(10), &stats)),
            (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(stats.same_title, 2);  // 3 repeats 2's title, 4 repeats the query's
}

TEST(RelatedIndexTest, NearCopiesKeepTheBetterRankedAndRefill) {
  // 2 and 3 are the same text (cosine 1 with each other) but far from a copy
  // of the query; 4 is next in line and takes the freed slot.
  auto idx = RelatedIndex::Build({Doc(1, "rust borrow checker lifetimes traits"),
                                  Doc(2, "rust borrow checker"), Doc(3, "rust borrow checker"),
                                  Doc(4, "rust traits"), Doc(5, "python")});
  ASSERT_NEAR(idx->Cosine(1, 2), 1.0f, 1e-6);
  ASSERT_LT(idx->Cosine(0, 1), 0.8f);
  DedupStats stats;
  EXPECT_EQ(Ids(*idx, idx->TopK(0, RankOptions{.k = 2}, &stats)), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(stats.near_duplicate, 1);
  // With content dedup off, both copies come back.
  EXPECT_EQ(Ids(*idx, idx->TopK(0, NoContentDedup(2))), (std::vector<int64_t>{2, 3}));
}

TEST(RelatedIndexTest, NearCopyOfQueryIsDroppedUnlessKept) {
  auto idx = RelatedIndex::Build({Doc(1, "gradient descent learning rate momentum"),
                                  Doc(2, "gradient descent learning rate momentum"),
                                  Doc(3, "gradient descent")});
  DedupStats stats;
  EXPECT_EQ(Ids(*idx, idx->TopK(0, RankOptions{.k = 5}, &stats)), (std::vector<int64_t>{3}));
  EXPECT_EQ(stats.near_copy_of_query, 1);
  RankOptions keep{.k = 5};
  keep.keep_near_copies_of_query = true;
  EXPECT_EQ(Ids(*idx, idx->TopK(0, keep)), (std::vector<int64_t>{2, 3}));
}

TEST(RelatedIndexTest, FiltersBySubjectIdAndMinScore) {
  auto idx = RelatedIndex::Build({Doc(1, "enzyme kinetics substrate", "", "", "Biology"),
                                  Doc(2, "enzyme kinetics", "", "", "Biology"),
                                  Doc(3, "enzyme substrate", "", "", "Chemistry"),
                                  Doc(4, "enzyme", "", "", "Medicine")});
  const int32_t q = *idx->Find(1);
  RankOptions o = NoContentDedup(10);
  EXPECT_EQ(Ids(*idx, idx->TopK(q, o)), (std::vector<int64_t>{2, 3, 4}));
  RankOptions inc = o;
  inc.include_subjects = {"Chemistry", "Medicine"};
  EXPECT_EQ(Ids(*idx, idx->TopK(q, inc)), (std::vector<int64_t>{3, 4}));
  RankOptions exc = o;
  exc.exclude_subjects = {"Chemistry"};
  exc.exclude_ids = {2};
  DedupStats stats;
  EXPECT_EQ(Ids(*idx, idx->TopK(q, exc, &stats)), (std::vector<int64_t>{4}));
  EXPECT_EQ(stats.filtered, 2);
  // min_score keeps only scores strictly above it.
  const auto all = idx->TopK(q, o);
  RankOptions min = o;
  min.min_score = all[2].score;  // 2 and 3 tie above it
  EXPECT_EQ(Ids(*idx, idx->TopK(q, min)), (std::vector<int64_t>{2, 3}));
}

TEST(RelatedIndexTest, SameSubjectBoostMultipliesScores) {
  auto idx = RelatedIndex::Build({Doc(1, "vaccine immune response", "", "", "Biology"),
                                  Doc(2, "vaccine immune", "", "", "Medicine"),
                                  Doc(3, "vaccine response", "", "", "Biology")});
  const auto plain = idx->TopK(0, NoContentDedup(2));
  ASSERT_EQ(Ids(*idx, plain), (std::vector<int64_t>{2, 3}));
  RankOptions boosted = NoContentDedup(2);
  boosted.same_subject_boost = 2.0f;
  const auto list = idx->TopK(0, boosted);
  ASSERT_EQ(Ids(*idx, list), (std::vector<int64_t>{3, 2}));
  EXPECT_FLOAT_EQ(list[0].score, 2.0f * plain[1].score);
  EXPECT_FLOAT_EQ(list[1].score, plain[0].score);
}

// MMR by hand. Query Q = "p q r", A = B = "p q u" (copies), C = "r v".
// Every term's df and so idf is known; what matters here:
//   score(A) = score(B) > score(C) > 0, cos(A, B) = 1, cos(A, C) = 0.
// lambda = 0.5, content dedup off:
//   pick 1: max 0.5 * score -> A (ties with B broken by id).
//   pick 2: B: 0.5 * score(A) - 0.5 * 1 < 0;  C: 0.5 * score(C) - 0.5 * 0 > 0 -> C.
//   pick 3: B.
// Without MMR the order is A, B, C.
TEST(RelatedIndexTest, MmrPrefersNovelCandidates) {
  auto idx = RelatedIndex::Build(
      {Doc(1, "p q r"), Doc(2, "p q u"), Doc(3, "p q u"), Doc(4, "r v")});
  ASSERT_FLOAT_EQ(idx->Cosine(1, 2), 1.0f);
  ASSERT_FLOAT_EQ(idx->Cosine(1, 3), 0.0f);
  ASSERT_GT(idx->Cosine(0, 1), idx->Cosine(0, 3));
  RankOptions o = NoContentDedup(3);
  EXPECT_EQ(Ids(*idx, idx->TopK(0, o)), (std::vector<int64_t>{2, 3, 4}));
  o.mmr_lambda = 0.5f;
  const auto list = idx->TopK(0, o);
  EXPECT_EQ(Ids(*idx, list), (std::vector<int64_t>{2, 4, 3}));
  // Scores stay relevance scores; MMR only reorders.
  EXPECT_FLOAT_EQ(list[1].score, idx->Cosine(0, 3));
}

TEST(RelatedIndexTest, ExplanationsSumToTheScore) {
  auto idx = RelatedIndex::Build({Doc(1, "quantum entanglement bell inequality"),
                                  Doc(2, "quantum entanglement"), Doc(3, "bell")});
  RankOptions o{.k = 1};
  o.explain_terms = 10;
  const auto list = idx->TopK(0, o);
  ASSERT_EQ(list.size(), 1u);
  ASSERT_GE(list[0].explanation.size(), 2u);  // quantum, entanglement (+ their bigram)
  float sum = 0;
  for (const TermContribution& t : list[0].explanation) sum += t.contribution;
  EXPECT_NEAR(sum, list[0].score, 1e-6);
  EXPECT_GE(list[0].explanation[0].contribution, list[0].explanation[1].contribution);
  o.explain_terms = 1;
  const auto top1 = idx->TopK(0, o);
  ASSERT_EQ(top1[0].explanation.size(), 1u);
  EXPECT_EQ(top1[0].explanation[0].term, list[0].explanation[0].term);
  EXPECT_TRUE(idx->TopK(0, RankOptions{.k = 1})[0].explanation.empty());
}

TEST(RelatedIndexTest, DraftTextQueriesTheIndex) {
  auto idx = RelatedIndex::Build({Doc(1, "sourdough starter yeast bacteria fermentation flour"), Doc(2, "yeast bread"),
                                  Doc(3, "car engine")});
  Article draft;
  draft.question = "how to feed a sourdough starter";
  const auto list = idx->TopKForVector(idx->embeddings().Embed(draft), "", RankOptions{.k = 5});
  EXPECT_EQ(Ids(*idx, list), (std::vector<int64_t>{1}));
}

TEST(NormalizedTitleTest, FoldsCaseAndPunctuation) {
  EXPECT_EQ(NormalizedTitle("  What is TCP?! "), "what is tcp");
  EXPECT_EQ(NormalizedTitle("C++ vs. C#"), "c vs c");
  EXPECT_EQ(NormalizedTitle("Café au lait"), "caf\xc3\xa9 au lait");
  EXPECT_EQ(NormalizedTitle(""), "");
}

TEST(RelatedIndexTest, SampleCorpusExampleGetsFourDistinctLinks) {
  absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
  ASSERT_TRUE(c.ok()) << c.status();
  auto idx = RelatedIndex::Build(std::move(c->articles));
  const auto doc = idx->Find(171811);
  ASSERT_TRUE(doc.has_value());
  const auto ids = Ids(*idx, idx->TopK(*doc, RankOptions{.k = 4}));
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(absl::flat_hash_set<int64_t>(ids.begin(), ids.end()).size(), 4u);
  for (int64_t id : ids) EXPECT_NE(id, 171811);
}

// Single queries reuse pooled accumulators: calls running at once, and calls
// after other calls, must each see a clean one and give the sequential lists.
TEST(RelatedIndexTest, ConcurrentSingleQueriesMatchSequentialOnes) {
  absl::StatusOr<Corpus> c = LoadCorpus(SEEALSO_SOURCE_DIR "/data/sample");
  ASSERT_TRUE(c.ok()) << c.status();
  const auto idx = RelatedIndex::Build(std::move(c->articles));
  RankOptions o{.k = 5};
  o.explain_terms = 2;
  std::vector<std::vector<int32_t>> want(static_cast<size_t>(idx->size()));
  for (int32_t d = 0; d < idx->size(); ++d) {
    for (const Related& r : idx->TopK(d, o)) want[static_cast<size_t>(d)].push_back(r.doc);
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(12, 0);
  for (int t = 0; t < 12; ++t) {  // more threads than the pool keeps idle
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (int32_t d = 0; d < idx->size(); ++d) {
          std::vector<int32_t> got;
          for (const Related& r : idx->TopK((d + t) % idx->size(), o)) got.push_back(r.doc);
          mismatches[static_cast<size_t>(t)] += got != want[static_cast<size_t>((d + t) % idx->size())];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

// --- Title mentions -------------------------------------------------------

// The list TopK must give (MMR off), the slow way: every other article
// scored, mention_boost added where a mention links it to the query, sorted
// by score then id, then each dedup rule in turn.
std::vector<std::pair<int32_t, float>> SlowList(const RelatedIndex& idx, int32_t q,
                                                const RankOptions& o) {
  std::vector<std::pair<int32_t, float>> cands;
  const absl::Span<const int32_t> linked = idx.mentions().of(q);
  for (int32_t d = 0; d < idx.size(); ++d) {
    if (d == q) continue;
    const float cosine = idx.Cosine(q, d);
    const bool mentioned =
        o.mention_boost != 0 && std::binary_search(linked.begin(), linked.end(), d);
    if (cosine == 0 && !mentioned) continue;
    if (!o.keep_near_copies_of_query && cosine >= o.near_duplicate_threshold) continue;
    const bool same_subject =
        !idx.article(q).subject.empty() && idx.article(d).subject == idx.article(q).subject;
    float score = same_subject && o.same_subject_boost != 1.0f ? cosine * o.same_subject_boost
                                                                : cosine;
    if (mentioned) score += o.mention_boost;
    if (score > o.min_score) cands.emplace_back(d, score);
  }
  std::sort(cands.begin(), cands.end(), [&](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return idx.article(a.first).id < idx.article(b.first).id;
  });
  std::vector<std::pair<int32_t, float>> list;
  absl::flat_hash_set<int64_t> ids = {idx.article(q).id};
  absl::flat_hash_set<std::string> urls, titles;
  auto remember = [&](int32_t d) {
    ids.insert(idx.article(d).id);
    if (!idx.canonical_url(d).empty()) urls.insert(std::string(idx.canonical_url(d)));
    const std::string title = NormalizedTitle(idx.article(d).title);
    if (!title.empty()) titles.insert(title);
  };
  remember(q);
  for (const auto& [d, score] : cands) {
    if (static_cast<int>(list.size()) == o.k) break;
    if (ids.contains(idx.article(d).id) || urls.contains(std::string(idx.canonical_url(d))) ||
        titles.contains(NormalizedTitle(idx.article(d).title))) {
      continue;
    }
    if (std::any_of(list.begin(), list.end(), [&](const auto& p) {
          return idx.Cosine(d, p.first) >= o.near_duplicate_threshold;
        })) {
      continue;
    }
    remember(d);
    list.emplace_back(d, score);
  }
  return list;
}

void ExpectSlowList(const RelatedIndex& idx, int32_t q, const std::vector<Related>& got,
                    const RankOptions& o) {
  const auto want = SlowList(idx, q, o);
  ASSERT_EQ(got.size(), want.size()) << "query " << q;
  const absl::Span<const int32_t> linked = idx.mentions().of(q);
  for (size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(got[r].doc, want[r].first) << "query " << q << " rank " << r;
    ASSERT_EQ(got[r].score, want[r].second) << "query " << q << " rank " << r;
    ASSERT_EQ(got[r].mentioned, o.mention_boost != 0 && std::binary_search(linked.begin(),
                                                                            linked.end(), got[r].doc));
  }
}

// "What is this about" is all stopwords: article 1 shares no term with 2,
// which names its title, yet the mention links them, both ways.
TEST(MentionsRankingTest, MentionedArticleIsListedWithTheBoostAlone) {
  auto idx = RelatedIndex::Build({Doc(1, "graph coloring heuristics", "", "What is this about"),
                                  Doc(2, "boiling pasta: what is this about, really", "", "Pasta"),
                                  Doc(3, "graph coloring", "", "Coloring")});
  ASSERT_EQ(idx->Cosine(0, 1), 0.0f);
  EXPECT_THAT(Ids(*idx, idx->TopK(0, NoContentDedup(5))), ElementsAre(3, 2));
  const auto list = idx->TopK(1, NoContentDedup(5));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(idx->article(list[0].doc).id, 1);
  EXPECT_EQ(list[0].score, 0.3f);  // the default mention_boost
  EXPECT_TRUE(list[0].mentioned);
  RankOptions off = NoContentDedup(5);
  off.mention_boost = 0;
  EXPECT_TRUE(idx->TopK(1, off).empty());
  EXPECT_THAT(Ids(*idx, idx->TopK(0, off)), ElementsAre(3));
  EXPECT_FALSE(idx->TopK(0, off)[0].mentioned);
}

// The boost adds to the cosine (after the subject boost) and can lift a
// mention above a closer article.
TEST(MentionsRankingTest, BoostAddsToTheCosine) {
  // Article 1's text names article 3's title.
  auto idx = RelatedIndex::Build({Doc(1, "heap sort heap tree, compare heap sort explained", "", "", "A"),
                                  Doc(2, "heap sort heap tree queue", "", "", "A"),
                                  Doc(3, "heap stack", "", "Heap sort explained", "B")});
  RankOptions o = NoContentDedup(5);
  o.same_subject_boost = 2.0f;
  o.mention_boost = 0.25f;
  const auto list = idx->TopK(0, o);
  ASSERT_EQ(list.size(), 2u);
  const float to_2 = idx->Cosine(0, 1) * 2.0f;  // same subject
  const float to_3 = idx->Cosine(0, 2) + 0.25f;
  EXPECT_EQ(list[0].score, std::max(to_2, to_3));
  EXPECT_EQ(list[1].score, std::min(to_2, to_3));
  const size_t at = to_3 > to_2 ? 0 : 1;
  EXPECT_EQ(list[at].doc, 2);
  EXPECT_TRUE(list[at].mentioned);
  EXPECT_FALSE(list[1 - at].mentioned);
  // By cosine alone article 2 is first; a boost of 1 lifts article 3 above it.
  ASSERT_GT(idx->Cosine(0, 1), idx->Cosine(0, 2));
  o.same_subject_boost = 1.0f;
  o.mention_boost = 1.0f;
  EXPECT_THAT(Ids(*idx, idx->TopK(0, o)), ElementsAre(3, 2));
  o.mention_boost = 0.0f;
  EXPECT_THAT(Ids(*idx, idx->TopK(0, o)), ElementsAre(2, 3));
}

// A mention that is a near copy of the query is still dropped, unless kept.
TEST(MentionsRankingTest, NearCopyRulesStillApply) {
  auto idx = RelatedIndex::Build({Doc(1, "graph coloring heuristics survey", "", "Coloring heuristics survey"),
                                  Doc(2, "graph coloring heuristics survey: coloring heuristics survey old", "", "Old"),
                                  Doc(3, "graph", "", "Graph")});
  ASSERT_GE(idx->Cosine(0, 1), 0.8f);
  ASSERT_THAT(idx->mentions().of(0), ElementsAre(1));
  RankOptions o{.k = 5};
  EXPECT_THAT(Ids(*idx, idx->TopK(0, o)), ElementsAre(3));
  o.keep_near_copies_of_query = true;
  EXPECT_THAT(Ids(*idx, idx->TopK(0, o)), ElementsAre(2, 3));
}

// Random small corpora whose titles are phrases of their own words, so that
// many articles name others: every list equals the slow one, batch or not.
TEST(MentionsRankingTest, RandomCorporaMatchTheSlowRanking) {
  std::mt19937 rng(7);
  const std::vector<std::string> words = {"graph", "tree", "hash", "heap", "sort", "cache"};
  int mentioned_links = 0;
  for (int round = 0; round < 30; ++round) {
    const int n = 5 + static_cast<int>(rng() % 50);
    auto phrase = [&](int len) {
      std::string p;
      for (int w = 0; w < len; ++w) p += words[rng() % words.size()] + " ";
      return p;
    };
    std::vector<Article> docs;
    for (int i = 0; i < n; ++i) {
      docs.push_back(Doc(1000 + i, phrase(2 + static_cast<int>(rng() % 8)),
                         "/u/" + std::to_string(rng() % (n + 1)), phrase(3), rng() % 2 ? "A" : "B"));
    }
    EmbeddingOptions e;
    e.mentions.max_df = 0.2;
    auto idx = RelatedIndex::Build(std::move(docs), e);
    RankOptions o;
    o.k = 1 + static_cast<int>(rng() % 6);
    o.near_duplicate_threshold = 0.5f + 0.15f * static_cast<float>(rng() % 4);
    o.keep_near_copies_of_query = rng() % 2 == 0;
    o.mention_boost = rng() % 4 == 0 ? 0.0f : 0.1f * static_cast<float>(1 + rng() % 5);
    o.same_subject_boost = std::array<float, 3>{1.0f, 1.5f, 0.5f}[rng() % 3];
    const auto all = idx->AllTopK(o, 2);
    for (int32_t d = 0; d < idx->size(); ++d) {
      ExpectSlowList(*idx, d, idx->TopK(d, o), o);
      ExpectSlowList(*idx, d, all[static_cast<size_t>(d)], o);
      for (const Related& r : all[static_cast<size_t>(d)]) mentioned_links += r.mentioned;
    }
  }
  EXPECT_GT(mentioned_links, 100);
}

// A corpus large enough for the bounded candidate search: mentions it does
// not reach (low cosine) are scored apart, and the lists equal the slow ones.
TEST(MentionsRankingTest, BoundedSearchMatchesTheSlowRanking) {
  GeneratorOptions g;
  g.n = 3000;
  g.seed = 9;
  std::vector<Article> articles = testing_util::GeneratedArticles(g);
  testing_util::PlantMentions(&articles, 3);
  // The planted titles are in the answers: weighed lightly, most mentioned
  // articles are far from the best by cosine, beyond what the search reaches.
  EmbeddingOptions e;
  e.fields.answer = 0.02;
  auto idx = RelatedIndex::Build(std::move(articles), e);
  ASSERT_GT(idx->mentions().pairs(), 900);
  // The same-subject boost, up or down, reorders beyond what the bounded
  // search's cosine order gives, too.
  for (const float subject_boost : {1.0f, 1.5f, 0.5f}) {
    const RankOptions o{.k = 10, .same_subject_boost = subject_boost};
    const auto all = idx->AllTopK(o, 2);
    int mentioned = 0;
    for (int32_t d = 0; d < idx->size(); d += 15) {
      ExpectSlowList(*idx, d, all[static_cast<size_t>(d)], o);
      for (const Related& r : all[static_cast<size_t>(d)]) mentioned += r.mentioned;
    }
    EXPECT_GT(mentioned, 30) << subject_boost;
  }
}

// A draft's text is searched for titles like an article's.
TEST(MentionsRankingTest, DraftMentionsAreFoundAndBoosted) {
  auto idx = RelatedIndex::Build({Doc(1, "graph coloring heuristics", "", "What is this about"),
                                  Doc(2, "sourdough starter", "", "Sourdough starter care"),
                                  Doc(3, "car engine", "", "Engines")});
  EXPECT_THAT(idx->MentionedIn({"so, WHAT is this about? and sourdough starter care"}),
              ElementsAre(0, 1));
  Article draft;
  draft.question = "my car engine; what is this about";
  const std::vector<int32_t> mentioned = idx->MentionedIn({draft.question});
  const RankOptions o{.k = 5, .keep_near_copies_of_query = true};
  const auto list =
      idx->TopKForVector(idx->embeddings().Embed(draft), "", o, nullptr, mentioned);
  EXPECT_THAT(Ids(*idx, list), ElementsAre(3, 1));
  EXPECT_FALSE(list[0].mentioned);
  EXPECT_TRUE(list[1].mentioned);
  EXPECT_EQ(list[1].score, 0.3f);
}

}  // namespace
}  // namespace seealso
