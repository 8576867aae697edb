#include "scoring/related_index.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "common/memory.h"
#include "common/parallel.h"
#include "absl/strings/str_cat.h"

namespace seealso {
namespace {

std::vector<TermContribution> Explain(SparseRow query, SparseRow doc, int top) {
  std::vector<TermContribution> terms;
  ForSharedTerms(query, doc, [&](int32_t t, float x) { terms.push_back({t, x}); });
  auto larger = [](const TermContribution& a, const TermContribution& b) {
    return a.contribution != b.contribution ? a.contribution > b.contribution : a.term < b.term;
  };
  const size_t n = std::min(terms.size(), static_cast<size_t>(top));
  std::partial_sort(terms.begin(), terms.begin() + static_cast<std::ptrdiff_t>(n), terms.end(),
                    larger);
  terms.resize(n);
  return terms;
}

// f(i) for i < n, computed on all cores (a contiguous range each) and packed
// into one column.
template <typename F>
StringColumn ColumnOf(size_t n, F f) {
  const int threads = std::max(1, std::min(ThreadCount(0), static_cast<int>(n / 4096)));
  std::vector<StringColumnBuilder> parts(static_cast<size_t>(threads));
  ParallelFor(parts.size(), threads, [&](size_t t, int) {
    for (size_t i = n * t / parts.size(); i < n * (t + 1) / parts.size(); ++i) parts[t].Add(f(i));
  });
  StringColumnBuilder all;
  for (StringColumnBuilder& part : parts) {
    const StringColumn c = part.Finish();
    for (size_t i = 0; i < c.size(); ++i) all.Add(c[i]);
  }
  return all.Finish();
}

}  // namespace

std::string CanonicalUrl(absl::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  if (size_t scheme = url.find("://"); scheme != absl::string_view::npos) {
    url.remove_prefix(scheme + 3);
    size_t path = url.find('/');
    url = path == absl::string_view::npos ? absl::string_view() : url.substr(path);
  }
  std::string out;
  for (char c : url) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string NormalizedTitle(absl::string_view title) {
  std::string out;
  bool gap = false;
  for (char c : title) {
    const auto u = static_cast<unsigned char>(c);
    // Bytes >= 0x80 belong to non-ASCII letters: keep them as they are.
    if (absl::ascii_isalnum(u) || u >= 0x80) {
      if (gap && !out.empty()) out.push_back(' ');
      out.push_back(absl::ascii_tolower(u));
      gap = false;
    } else {
      gap = true;
    }
  }
  return out;
}

std::pair<int32_t, int32_t> ShardRange(int32_t n, int shard, int shards) {
  auto bound = [&](int i) { return static_cast<int32_t>(int64_t{n} * i / shards); };
  return {bound(shard), bound(shard + 1)};
}

// What Select needs to know about the query.
struct RelatedIndex::Query {
  std::optional<int32_t> self;
  SparseRow row;
  absl::string_view subject;
  // Dots of document pairs this thread computed lately (batch ranking), or
  // null: exact scores and near-copy tests are looked up there first.
  PairDotCache* pairs = nullptr;
  // The documents linked to the query by a title mention, sorted.
  absl::Span<const int32_t> mentions;
};

RelatedIndex::RelatedIndex(ArticleTable articles, Embeddings embeddings,
                           std::optional<SimilarityIndex> similarity)
    : articles_(std::move(articles)),
      embeddings_(std::move(embeddings)),
      similarity_(similarity ? *std::move(similarity) : SimilarityIndex(embeddings_.matrix())),
      pool_(static_cast<int32_t>(articles_.size())) {
  canonical_url_ =
      ColumnOf(articles_.size(), [&](size_t i) { return CanonicalUrl(articles_.urls()[i]); });
  normalized_title_ =
      ColumnOf(articles_.size(), [&](size_t i) { return NormalizedTitle(articles_.titles()[i]); });
  doc_of_id_.reserve(articles_.size());
  for (size_t i = 0; i < articles_.size(); ++i) {
    doc_of_id_.emplace(articles_.id(i), static_cast<int32_t>(i));
  }
}

std::unique_ptr<const RelatedIndex> RelatedIndex::Build(std::vector<Article> articles,
                                                        const EmbeddingOptions& options, Use use,
                                                        const Pruning& batch_pruning) {
  // Only what lists show and dedup needs is kept, packed, taken before the
  // build frees each article's strings once analysed, so that neither the
  // text nor small metadata blocks stay in memory beside the growing matrix.
  ArticleTable table = ArticleTable::Of(articles);
  Mentions mentions = Mentions::Find(articles, options.mentions);
  Embeddings embeddings = Embeddings::BuildConsuming(&articles, options);
  if (use == Use::kBatch) embeddings = embeddings.WithoutVocabulary();
  std::vector<Article>().swap(articles);
  ReturnFreedMemory();
  // (Moving the Embeddings into the index leaves its matrix where it is.)
  std::optional<SimilarityIndex> similarity;
  if (use == Use::kBatch) {
    similarity = SimilarityIndex::ForPruning(embeddings.matrix(), batch_pruning);
  }
  auto index = std::unique_ptr<RelatedIndex>(
      new RelatedIndex(std::move(table), std::move(embeddings), std::move(similarity)));
  index->mentions_ = std::move(mentions);
  return std::unique_ptr<const RelatedIndex>(std::move(index));
}

absl::StatusOr<std::unique_ptr<const RelatedIndex>> RelatedIndex::FromEmbeddings(
    ArticleTable articles, Embeddings embeddings, std::optional<SimilarityIndex> similarity,
    std::optional<PrecomputedLists> lists, Mentions mentions) {
  const size_t n = articles.size();
  if (!mentions.start().empty() && mentions.start().size() != n + 1) {
    return absl::InvalidArgumentError(absl::StrCat("mentions of ", mentions.start().size() - 1,
                                                   " documents for ", n, " articles"));
  }
  if (static_cast<size_t>(embeddings.matrix().rows()) != n) {
    return absl::InvalidArgumentError(absl::StrCat(n, " articles for ",
                                                   embeddings.matrix().rows(), " matrix rows"));
  }
  if (lists) {
    const FrozenArray<int64_t>& start = lists->start;
    if (start.size() != n + 1 || start[0] != 0 || lists->doc.size() != lists->score.size() ||
        static_cast<size_t>(start[n]) != lists->doc.size()) {
      return absl::InvalidArgumentError("precomputed lists: starts do not span the lists");
    }
    for (size_t d = 0; d < n; ++d) {
      if (start[d] > start[d + 1]) {
        return absl::InvalidArgumentError(absl::StrCat("precomputed lists: starts decrease at ", d));
      }
    }
    for (int32_t d : lists->doc) {
      if (static_cast<uint32_t>(d) >= n) {
        return absl::InvalidArgumentError("precomputed lists: a document is out of range");
      }
    }
  }
  auto index = std::unique_ptr<RelatedIndex>(
      new RelatedIndex(std::move(articles), std::move(embeddings), std::move(similarity)));
  if (index->doc_of_id_.size() != index->articles_.size()) {
    return absl::InvalidArgumentError("article ids are not unique");
  }
  index->lists_ = std::move(lists);
  index->mentions_ = std::move(mentions);
  return std::unique_ptr<const RelatedIndex>(std::move(index));
}

PrecomputedLists PrecomputeLists(const RelatedIndex& index, RankOptions options, int threads) {
  const std::vector<std::vector<Related>> all = index.AllTopK(options, threads);
  std::vector<int64_t> start = {0};
  std::vector<int32_t> doc;
  std::vector<float> score;
  for (const std::vector<Related>& list : all) {
    for (const Related& r : list) {
      doc.push_back(r.doc);
      score.push_back(r.score);
    }
    start.push_back(static_cast<int64_t>(doc.size()));
  }
  options.explain_terms = 0;
  return {std::move(options), FrozenArray<int64_t>(std::move(start)),
          FrozenArray<int32_t>(std::move(doc)), FrozenArray<float>(std::move(score))};
}

std::optional<int32_t> RelatedIndex::Find(int64_t id) const {
  auto it = doc_of_id_.find(id);
  if (it == doc_of_id_.end()) return std::nullopt;
  return it->second;
}

float RelatedIndex::Cosine(int32_t a, int32_t b) const {
  return Dot(RowOf(embeddings_.matrix(), a), RowOf(embeddings_.matrix(), b));
}

std::vector<Related> RelatedIndex::Rank(const Query& q, const RankOptions& o,
                                        ScoreAccumulator* acc, DedupStats* stats) const {
  DedupStats st;
  std::vector<Related> picked;
  // Pruning bounds the work of expensive queries; a query cheap enough
  // (pruning.exact_below_postings) takes the exact path below.
  const bool pruned = !o.pruning.ScoresExactly(similarity_.Postings(q.row));
  if (pruned) {
    similarity_.Score(q.row, o.pruning, acc);
    picked = Select(q, *acc, o, /*complete=*/true, &st, nullptr);
  } else {
    // Enough candidates for the usual losses to dedup and filters (the
    // query itself, a near copy or two), or to fill the MMR pool; if they run
    // out, four times as many, then everything: the list is the same either
    // way, only the work differs.
    const int pool = o.mmr_lambda >= 1.0f ? o.k + 4 : std::max(3 * o.k, 30) + o.k;
    int want = pool + (q.self ? 1 : 0);
    for (int attempt = 0;; ++attempt) {
      bool complete = true;
      if (attempt < 2) {
        complete = similarity_.ScoreTop(q.row, want, acc, q.pairs, q.self.value_or(-1));
      } else {
        similarity_.ScoreExact(q.row, acc);
      }
      bool exhausted = false;
      st = DedupStats();
      picked = Select(q, *acc, o, complete, &st, &exhausted);
      if (!exhausted) break;
      acc->Clear();
      want = 4 * want + 16;
    }
  }
  acc->Clear();
  if (stats != nullptr) *stats += st;
  return picked;
}

std::vector<Related> RelatedIndex::Select(const Query& q, ScoreAccumulator& acc,
                                          const RankOptions& o, bool complete,
                                          DedupStats* stats_out, bool* exhausted) const {
  const RowScratch scratch = acc.QueryScratch(static_cast<size_t>(embeddings_.matrix().cols()));
  DedupStats st;
  const absl::flat_hash_set<absl::string_view> include(o.include_subjects.begin(),
                                                       o.include_subjects.end());
  const absl::flat_hash_set<absl::string_view> exclude(o.exclude_subjects.begin(),
                                                       o.exclude_subjects.end());
  const absl::flat_hash_set<int64_t> exclude_ids(o.exclude_ids.begin(), o.exclude_ids.end());

  // Filters and the query-relative rules need only the candidate itself.
  std::vector<Related> cands;
  cands.reserve(acc.touched().size());
  // A candidate's metadata is read only when an option needs it: at a million
  // articles each field is a cache miss, for each of a hundred candidates.
  const bool by_subject = !include.empty() || !exclude.empty();
  const bool may_boost = o.same_subject_boost != 1.0f && !q.subject.empty();
  auto filtered_out = [&](int32_t d) {
    if (by_subject) {
      const absl::string_view subject = articles_.subject(d);
      if ((!include.empty() && !include.contains(subject)) || exclude.contains(subject)) {
        return true;
      }
    }
    return !exclude_ids.empty() && exclude_ids.contains(articles_.id(d));
  };
  auto consider = [&](int32_t d, float cosine, bool mentioned) {
    if (q.self && d == *q.self) {
      ++st.self;
    } else if (filtered_out(d)) {
      ++st.filtered;
    } else if (!o.keep_near_copies_of_query && cosine >= o.near_duplicate_threshold) {
      ++st.near_copy_of_query;
    } else {
      const bool boost = may_boost && articles_.subject(d) == q.subject;
      float score = boost ? cosine * o.same_subject_boost : cosine;
      if (mentioned) score += o.mention_boost;
      if (score > o.min_score) {
        cands.push_back({d, score, mentioned, {}});
      } else {
        ++st.filtered;
      }
    }
  };
  // Articles linked to the query by a title mention are candidates whatever
  // their cosine: those the search above did not reach are scored here
  // (bit-identical to the search's scores), so the list is the same whether
  // or not a mention made it among the best by cosine.
  const absl::Span<const int32_t> mentions =
      o.mention_boost != 0.0f ? q.mentions : absl::Span<const int32_t>();
  std::vector<char> mention_seen(mentions.size(), 0);
  // With an incomplete search, every document left out has a cosine below
  // all of the candidates'.
  float lowest_cosine = std::numeric_limits<float>::infinity();
  for (int32_t d : acc.touched()) {
    if (!complete) lowest_cosine = std::min(lowest_cosine, acc.score(d));
    bool mentioned = false;
    if (!mentions.empty()) {
      const auto it = std::lower_bound(mentions.begin(), mentions.end(), d);
      if (it != mentions.end() && *it == d) {
        mentioned = true;
        mention_seen[static_cast<size_t>(it - mentions.begin())] = 1;
      }
    }
    consider(d, acc.score(d), mentioned);
  }
  const SparseMatrixView m = embeddings_.matrix();
  for (size_t i = 0; i < mentions.size(); ++i) {
    if (!mention_seen[i]) consider(mentions[i], Dot(q.row, RowOf(m, mentions[i])), true);
  }

  // Identity and address rules depend on what is already picked.
  absl::flat_hash_set<int64_t> seen_ids;
  absl::flat_hash_set<absl::string_view> seen_urls;
  absl::flat_hash_set<absl::string_view> seen_titles;
  auto remember = [&](int32_t d) {
    seen_ids.insert(articles_.id(d));
    if (!canonical_url_[d].empty()) seen_urls.insert(canonical_url_[d]);
    if (!normalized_title_[d].empty()) seen_titles.insert(normalized_title_[d]);
  };
  if (q.self) remember(*q.self);
  // Returns true (and counts why) if doc d repeats an id, URL or title.
  auto repeats = [&](int32_t d) {
    if (seen_ids.contains(articles_.id(d))) return ++st.same_id, true;
    if (seen_urls.contains(canonical_url_[d])) return ++st.same_url, true;
    if (seen_titles.contains(normalized_title_[d])) return ++st.same_title, true;
    return false;
  };

  // Candidates come out best first; only a prefix is sorted, widened on demand.
  auto better = [this](const Related& a, const Related& b) {
    if (a.score != b.score) return a.score > b.score;
    return articles_.id(a.doc) < articles_.id(b.doc);
  };
  size_t sorted = 0;
  size_t next = 0;
  // The score of the last candidate taken: every candidate scoring more was
  // taken before it.
  float last_taken = std::numeric_limits<float>::infinity();
  auto next_candidate = [&]() -> const Related* {
    while (next < cands.size()) {
      if (next == sorted) {
        sorted = std::min(cands.size(), std::max<size_t>(2 * o.k + 8, sorted * 4));
        std::partial_sort(cands.begin() + static_cast<std::ptrdiff_t>(next),
                          cands.begin() + static_cast<std::ptrdiff_t>(sorted), cands.end(), better);
      }
      const Related& c = cands[next++];
      last_taken = c.score;
      if (!repeats(c.doc)) return &c;
    }
    if (!complete) *exhausted = true;
    return nullptr;
  };

  std::vector<Related> picked;
  if (o.mmr_lambda >= 1.0f) {
    while (static_cast<int>(picked.size()) < o.k) {
      const Related* c = next_candidate();
      if (c == nullptr) break;
      bool near_copy = false;
      if (!picked.empty() && o.near_duplicate_threshold <= 1.0f) {
        // Scattered only if some pick's dot with it is not remembered.
        std::optional<ScatteredRow> candidate;
        auto dot = [&](int32_t p) {
          auto compute = [&] {
            if (!candidate) candidate.emplace(RowOf(m, c->doc), scratch);
            return candidate->DotOfOverlapping(RowOf(m, p));
          };
          return q.pairs == nullptr ? compute() : q.pairs->Dot(c->doc, p, compute);
        };
        near_copy = std::any_of(picked.begin(), picked.end(), [&](const Related& p) {
          return dot(p.doc) >= o.near_duplicate_threshold;
        });
      }
      if (near_copy) {
        ++st.near_duplicate;
        continue;
      }
      remember(c->doc);
      picked.push_back(*c);
    }
  } else {
    // Greedy MMR over a pool of the best remaining candidates, kept topped up
    // so that dedup losses are refilled.
    struct Pooled {
      Related r;
      float max_sim;  // to the picks so far
    };
    std::vector<Pooled> pool;
    const size_t pool_size = std::max<size_t>(3 * o.k, 30);
    const float lambda = o.mmr_lambda;
    while (static_cast<int>(picked.size()) < o.k) {
      while (pool.size() < pool_size) {
        const Related* c = next_candidate();
        if (c == nullptr) break;
        float max_sim = 0;
        for (const Related& p : picked) max_sim = std::max(max_sim, Dot(RowOf(m, c->doc), RowOf(m, p.doc)));
        pool.push_back({*c, max_sim});
      }
      if (pool.empty()) break;
      auto mmr = [lambda](const Pooled& p) { return lambda * p.r.score - (1 - lambda) * p.max_sim; };
      auto best = std::min_element(pool.begin(), pool.end(), [&](const Pooled& a, const Pooled& b) {
        const float va = mmr(a), vb = mmr(b);
        return va != vb ? va > vb : better(a.r, b.r);
      });
      const Pooled chosen = *best;
      pool.erase(best);
      if (repeats(chosen.r.doc)) continue;
      if (chosen.max_sim >= o.near_duplicate_threshold) {
        ++st.near_duplicate;
        continue;
      }
      remember(chosen.r.doc);
      picked.push_back(chosen.r);
      for (Pooled& p : pool) {
        p.max_sim = std::max(p.max_sim, Dot(RowOf(m, p.r.doc), RowOf(m, chosen.r.doc)));
      }
    }
  }

  // The same-subject boost reorders: a document an incomplete search left
  // out may, boosted, outscore the last candidate taken (or a demoted
  // candidate fall below it). Its score is at most lowest_cosine times the
  // larger of 1 and the boost (mentions are all candidates); at or above
  // that, the list is decided, else the caller widens the search as when
  // the candidates run out.
  if (!complete && may_boost && !*exhausted &&
      last_taken <= lowest_cosine * std::max(1.0f, o.same_subject_boost)) {
    *exhausted = true;
  }

  if (o.explain_terms > 0) {
    for (Related& r : picked) r.explanation = Explain(q.row, RowOf(m, r.doc), o.explain_terms);
  }
  if (stats_out != nullptr) *stats_out += st;
  return picked;
}

std::unique_ptr<ScoreAccumulator> RelatedIndex::AccumulatorPool::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<ScoreAccumulator> acc = std::move(idle_.back());
      idle_.pop_back();
      return acc;
    }
  }
  return std::make_unique<ScoreAccumulator>(docs_);
}

void RelatedIndex::AccumulatorPool::Return(std::unique_ptr<ScoreAccumulator> acc) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(acc));
}

std::vector<Related> RelatedIndex::RankOne(const Query& query, const RankOptions& options,
                                           DedupStats* stats) const {
  std::unique_ptr<ScoreAccumulator> acc = pool_.Take();
  std::vector<Related> list = Rank(query, options, acc.get(), stats);
  pool_.Return(std::move(acc));
  return list;
}

bool RelatedIndex::ListsServe(const RankOptions& options) const {
  if (!lists_) return false;
  RankOptions same = options;
  same.explain_terms = 0;
  return same == lists_->options;
}

std::vector<Related> RelatedIndex::TopK(int32_t doc, const RankOptions& options,
                                        DedupStats* stats) const {
  if (stats == nullptr && ListsServe(options)) {
    std::vector<Related> list;
    const SparseRow query = RowOf(embeddings_.matrix(), doc);
    const absl::Span<const int32_t> mentions = mentions_.of(doc);
    for (int64_t i = lists_->start[static_cast<size_t>(doc)];
         i < lists_->start[static_cast<size_t>(doc) + 1]; ++i) {
      Related r{lists_->doc[static_cast<size_t>(i)], lists_->score[static_cast<size_t>(i)],
                false, {}};
      r.mentioned = lists_->options.mention_boost != 0.0f &&
                    std::binary_search(mentions.begin(), mentions.end(), r.doc);
      if (options.explain_terms > 0) {
        r.explanation = Explain(query, RowOf(embeddings_.matrix(), r.doc), options.explain_terms);
      }
      list.push_back(std::move(r));
    }
    return list;
  }
  return RankOne(Query{doc, RowOf(embeddings_.matrix(), doc), articles_[doc].subject, nullptr,
                       mentions_.of(doc)},
                 options, stats);
}

std::vector<Related> RelatedIndex::TopKForVector(const SparseVector& query,
                                                 absl::string_view subject,
                                                 const RankOptions& options,
                                                 DedupStats* stats,
                                                 absl::Span<const int32_t> mentioned) const {
  return RankOne(Query{std::nullopt, RowOf(query), subject, nullptr, mentioned}, options, stats);
}

std::vector<int32_t> RelatedIndex::MentionedIn(
    absl::Span<const absl::string_view> texts) const {
  std::call_once(matcher_once_, [this] {
    matcher_ = TitleMatcher(articles_.titles(), embeddings_.options().mentions.min_title_words,
                            mentions_.ignored().span());
  });
  return matcher_.Find(texts);
}

std::vector<std::vector<Related>> RelatedIndex::AllTopK(const RankOptions& options, int threads,
                                                        DedupStats* stats) const {
  return RangeTopK(0, size(), options, threads, stats);
}

std::vector<std::vector<Related>> RelatedIndex::RangeTopK(int32_t begin, int32_t end,
                                                          const RankOptions& options, int threads,
                                                          DedupStats* stats) const {
  begin = std::clamp(begin, 0, size());
  end = std::clamp(end, begin, size());
  std::vector<std::vector<Related>> result(static_cast<size_t>(end - begin));
  threads = ThreadCount(threads);
  std::vector<DedupStats> thread_stats(static_cast<size_t>(threads));
  std::vector<ScoreAccumulator> accumulators(static_cast<size_t>(threads), ScoreAccumulator(size()));
  std::vector<PairDotCache> pairs(static_cast<size_t>(threads));
  // Each thread goes on with the best related article of the one it just
  // ranked: their candidates overlap, so the rows to verify and the postings
  // to score are mostly still in its caches, and many of the pairs it scores
  // are in its PairDotCache already (ranking 15,000 generated articles: -23 %
  // for the walk, -16 % more for the caches; docs/benchmarks.md). A list does
  // not depend on which thread ranks it, nor when.
  ParallelWalk(result.size(), threads, [&](size_t i, int t, std::vector<size_t>* next) {
    const int32_t doc = begin + static_cast<int32_t>(i);
    result[i] = Rank(Query{doc, RowOf(embeddings_.matrix(), doc), articles_[doc].subject,
                           &pairs[static_cast<size_t>(t)], mentions_.of(doc)},
                     options, &accumulators[t], &thread_stats[t]);
    for (const Related& r : result[i]) {
      if (r.doc >= begin && r.doc < end) next->push_back(static_cast<size_t>(r.doc - begin));
    }
  });
  if (stats != nullptr) {
    for (const DedupStats& s : thread_stats) *stats += s;
  }
  return result;
}

}  // namespace seealso
