#include "scoring/similarity.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>

#include "absl/strings/str_cat.h"
#include "common/parallel.h"

namespace seealso {

SparseRow RowOf(const SparseMatrixView& m, int32_t row) {
  const int32_t begin = m.outerIndexPtr()[row];
  const int32_t end = m.outerIndexPtr()[row + 1];
  return {m.innerIndexPtr() + begin, m.valuePtr() + begin, end - begin};
}

SparseRow RowOf(const SparseMatrix& m, int32_t row) {
  const int32_t begin = m.outerIndexPtr()[row];
  const int32_t end = m.outerIndexPtr()[row + 1];
  return {m.innerIndexPtr() + begin, m.valuePtr() + begin, end - begin};
}

SparseRow RowOf(const SparseVector& v) { return {v.innerIndexPtr(), v.valuePtr(), v.nonZeros()}; }

namespace {

using Posting = std::pair<float, int32_t>;  // (weight, document)

// How many entries ahead the index build's loops prefetch.
constexpr int64_t kAhead = 8;

// The order of a term's impact prefix: heaviest first, ties by document.
// (weight, document) pairs are distinct, so it is a strict total order.
bool Heavier(const Posting& a, const Posting& b) {
  return a.first != b.first ? a.first > b.first : a.second < b.second;
}

// Moves posting i of a heap of `size` postings, lightest on top, held in two
// parallel arrays, down to its place. (std's heap algorithms need one array.)
void SiftDown(int32_t* doc, float* weight, int64_t size, int64_t i) {
  const Posting x(weight[i], doc[i]);
  for (int64_t child; (child = 2 * i + 1) < size; i = child) {
    if (child + 1 < size &&
        Heavier({weight[child], doc[child]}, {weight[child + 1], doc[child + 1]})) {
      ++child;
    }
    if (!Heavier(x, {weight[child], doc[child]})) break;
    doc[i] = doc[child];
    weight[i] = weight[child];
  }
  doc[i] = x.second;
  weight[i] = x.first;
}

// Which terms an index cut for `pruning` keeps only the impact prefix of
// (1 = cut; empty if none): those longer than the prefix that no row taking
// the exact path holds (that row's query reads every posting of its terms).
// `df`: the true document frequencies.
std::vector<uint8_t> CutTerms(const SparseMatrixView& docs, const Pruning& pruning,
                              const std::vector<int32_t>& df, int threads, bool* any_pruned) {
  const int64_t prefix =
      std::min<int64_t>(pruning.postings_per_term, SimilarityIndex::kImpactPrefix);
  *any_pruned = false;
  if (pruning.exact()) return {};
  std::atomic<bool> pruned{false};
  // Without a prefix to keep (postings_per_term <= 0) nothing is cut: the
  // rows are still read, for *any_pruned.
  std::vector<uint8_t> cut(prefix > 0 ? df.size() : 0);
  for (size_t j = 0; j < cut.size(); ++j) cut[j] = df[j] > prefix;
  // Rows in parallel; threads may clear the same term's byte, hence atomic.
  auto keep_all_of = [&](size_t begin, size_t end, int) {
    for (size_t d = begin; d < end; ++d) {
      const SparseRow row = RowOf(docs, static_cast<int32_t>(d));
      int64_t postings = 0;
      for (int64_t i = 0; i < row.size; ++i) postings += df[static_cast<size_t>(row.term[i])];
      if (!pruning.ScoresExactly(postings)) {
        pruned.store(true, std::memory_order_relaxed);
        continue;
      }
      if (prefix <= 0) continue;
      for (int64_t i = 0; i < row.size; ++i) {
        std::atomic_ref<uint8_t>(cut[static_cast<size_t>(row.term[i])])
            .store(0, std::memory_order_relaxed);
      }
    }
  };
  ParallelForChunks(static_cast<size_t>(docs.rows()), 1024, threads, keep_all_of);
  *any_pruned = pruned.load();
  return cut;
}

}  // namespace

float Dot(SparseRow a, SparseRow b) {
  float sum = 0;
  ForSharedTerms(a, b, [&](int32_t, float x) { sum += x; });
  return sum;
}

SimilarityIndex::SimilarityIndex(const SparseMatrixView& docs, Parts parts,
                                 std::vector<int32_t> df, bool impact_ordered)
    : rows_(static_cast<int32_t>(docs.rows())),
      cols_(static_cast<int32_t>(docs.cols())),
      row_start_(docs.outerIndexPtr()),
      column_(docs.innerIndexPtr()),
      value_(docs.valuePtr()),
      parts_(std::move(parts)),
      offset_(parts_.postings_start.data()),
      doc_(parts_.postings_doc.data()),
      weight_(parts_.postings_weight.data()),
      band_norm_(parts_.band_norm.data()),
      df_(std::move(df)),
      impact_ordered_(impact_ordered) {
  for (size_t d = 0; d < static_cast<size_t>(rows_); ++d) {
    for (int b = 0; b < kBands; ++b) band_max_[b] = std::max(band_max_[b], band_norm_[d * kBands + b]);
  }
}

SimilarityIndex::SimilarityIndex(const SparseMatrixView& docs)
    : SimilarityIndex(docs, BuildParts(docs, ThreadCount(0))) {}

SimilarityIndex SimilarityIndex::ForPruning(const SparseMatrixView& docs, const Pruning& pruning,
                                            int threads) {
  std::vector<int32_t> df;
  bool impact_ordered = true;
  Parts parts = BuildParts(docs, ThreadCount(threads), &pruning, &df, &impact_ordered);
  return SimilarityIndex(docs, std::move(parts), std::move(df), impact_ordered);
}

SimilarityIndex::Parts SimilarityIndex::BuildParts(const SparseMatrixView& docs, int threads,
                                                   const Pruning* cut_for,
                                                   std::vector<int32_t>* df,
                                                   bool* impact_ordered) {
  // Counting sort of the matrix's entries by term, then each term's postings
  // by weight (heaviest first, ties by document).
  const auto n = static_cast<int32_t>(docs.rows());
  const int64_t terms = docs.cols();
  const int64_t nnz = docs.nonZeros();
  // Rows are split into one range per thread with about equal non-zeros;
  // each thread counts its range's terms, and then writes its postings
  // after those of the ranges before it, so every term's postings come out
  // in document order, as a sequential pass gives them. The scatter is
  // random writes over the whole postings array: at a million articles it
  // was the longest single-threaded step of building the index.
  std::vector<int32_t> first_row(static_cast<size_t>(threads) + 1, n);
  first_row[0] = 0;
  for (int t = 1; t < threads; ++t) {
    const int64_t target = nnz * t / threads;
    const int32_t* starts = docs.outerIndexPtr();
    first_row[static_cast<size_t>(t)] =
        static_cast<int32_t>(std::lower_bound(starts, starts + n, target) - starts);
  }
  // count[t][j]: entries of term j in thread t's rows; later, where thread t
  // writes its next posting of term j, relative to the term's start.
  std::vector<std::vector<uint32_t>> count(static_cast<size_t>(threads));
  auto rows_of = [&](size_t t, auto f) {
    for (int32_t d = first_row[t]; d < first_row[t + 1]; ++d) f(d, RowOf(docs, d));
  };
  ParallelFor(static_cast<size_t>(threads), threads, [&](size_t t, int) {
    count[t].assign(static_cast<size_t>(terms), 0);
    rows_of(t, [&](int32_t, SparseRow row) {
      for (int64_t i = 0; i < row.size; ++i) ++count[t][static_cast<size_t>(row.term[i])];
    });
  });
  std::vector<int32_t> term_df(static_cast<size_t>(terms));
  for (size_t j = 0; j < static_cast<size_t>(terms); ++j) {
    uint32_t before = 0;
    for (std::vector<uint32_t>& c : count) {
      const uint32_t mine = c[j];
      c[j] = before;
      before += mine;
    }
    term_df[j] = static_cast<int32_t>(before);
  }
  // How many postings each term keeps: all, or if cut for a pruning, its
  // first `kept` (the prefix that pruning reads).
  std::vector<uint8_t> cut;
  // Whether some row takes the pruned path, the only reader of the impact
  // order: if none does, the order is not made (building 15,000 generated
  // articles: -7 %), and the index says so (PostingsOf selects instead).
  bool any_pruned = true;
  if (cut_for != nullptr) cut = CutTerms(docs, *cut_for, term_df, threads, &any_pruned);
  if (impact_ordered != nullptr) *impact_ordered = any_pruned;
  const int64_t kept =
      cut.empty() ? 0 : std::min<int64_t>(cut_for->postings_per_term, kImpactPrefix);
  std::vector<int64_t> offset(static_cast<size_t>(terms) + 1, 0);
  for (size_t j = 0; j < static_cast<size_t>(terms); ++j) {
    offset[j + 1] = offset[j] + (cut.empty() || !cut[j] ? term_df[j] : kept);
  }
  const auto stored = static_cast<size_t>(offset[static_cast<size_t>(terms)]);
  std::vector<int32_t> doc(stored);
  std::vector<float> weight(stored);
  ParallelFor(static_cast<size_t>(threads), threads, [&](size_t t, int) {
    std::vector<uint32_t>& next = count[t];
    rows_of(t, [&](int32_t d, SparseRow row) {
      for (int64_t i = 0; i < row.size; ++i) {
        // Term-indexed arrays are far larger than the caches: their entries
        // for a term a few ahead are requested early, so the misses overlap.
        if (i + kAhead < row.size) {
          const auto ahead = static_cast<size_t>(row.term[i + kAhead]);
          __builtin_prefetch(&offset[ahead]);
          __builtin_prefetch(&next[ahead]);
        }
        const auto j = static_cast<size_t>(row.term[i]);
        if (!cut.empty() && cut[j]) continue;
        const auto at = static_cast<size_t>(offset[j] + next[j]++);
        doc[at] = d;
        weight[at] = row.weight[i];
      }
    });
  });
  count = {};
  // A cut term's slot holds a heap of its heaviest postings so far, lightest
  // on top. Terms are shared among threads in chunks (each thread reads every
  // row and keeps its own terms' entries): the heaps are the same whatever
  // the order postings arrive in, and no two threads write one heap.
  constexpr size_t kChunk = 1024;
  if (stored < static_cast<size_t>(nnz)) {
    std::vector<uint32_t> filled(static_cast<size_t>(terms), 0);
    // The thread that keeps each cut term's heap (kNone: not cut), one byte
    // per term: every thread tests every entry of the matrix against it.
    constexpr uint8_t kNone = 255;
    const int heap_threads = std::min(threads, 254);
    std::vector<uint8_t> owner(static_cast<size_t>(terms), kNone);
    for (size_t j = 0; j < owner.size(); ++j) {
      if (cut[j]) owner[j] = static_cast<uint8_t>((j / kChunk) % static_cast<size_t>(heap_threads));
    }
    ParallelFor(static_cast<size_t>(heap_threads), heap_threads, [&](size_t th, int) {
      for (int32_t d = 0; d < n; ++d) {
        const SparseRow row = RowOf(docs, d);
        for (int64_t i = 0; i < row.size; ++i) {
          const auto j = static_cast<size_t>(row.term[i]);
          if (owner[j] != th) continue;
          int32_t* heap_doc = &doc[static_cast<size_t>(offset[j])];
          float* heap_weight = &weight[static_cast<size_t>(offset[j])];
          if (filled[j] < kept) {
            heap_doc[filled[j]] = d;
            heap_weight[filled[j]] = row.weight[i];
            if (++filled[j] == kept) {
              for (int64_t k = kept / 2 - 1; k >= 0; --k) SiftDown(heap_doc, heap_weight, kept, k);
            }
          } else if (Heavier({row.weight[i], d}, {heap_weight[0], heap_doc[0]})) {
            heap_doc[0] = d;
            heap_weight[0] = row.weight[i];
            SiftDown(heap_doc, heap_weight, kept, 0);
          }
        }
      }
    });
  }
  // Each term's heaviest kImpactPrefix postings go first, heaviest first (ties
  // by document); the rest stay in document order, which keeps the exact
  // path's accumulator writes mostly sequential on long postings lists.
  // Terms are independent: sorted on all cores, in chunks of consecutive
  // terms (interleaved chunks balance the long lists of common terms).
  // The postings arrive in document order: select the prefix's last entry
  // (linear), sort only the prefix, and copy the rest out in the order they
  // came; no sort of the whole list. (A cut term's are its heap, all prefix.)
  auto sort_term = [&](int64_t t, std::vector<std::pair<float, int32_t>>& postings) {
    const int64_t begin = offset[t], end = offset[t + 1];
    const int64_t prefix = std::min<int64_t>(end - begin, kImpactPrefix);
    auto heavier = [](const Posting& a, const Posting& b) { return Heavier(a, b); };
    postings.clear();
    for (int64_t k = begin; k < end; ++k) postings.emplace_back(weight[k], doc[k]);
    if (prefix < end - begin) {
      std::nth_element(postings.begin(), postings.begin() + (prefix - 1), postings.end(), heavier);
      const std::pair<float, int32_t> last = postings[static_cast<size_t>(prefix - 1)];
      // (weight, document) pairs are distinct, so exactly `prefix` of them
      // are at least as heavy as `last`.
      int64_t rest = begin + prefix;
      for (int64_t k = begin; k < end; ++k) {
        if (heavier(last, std::pair<float, int32_t>(weight[k], doc[k]))) {
          postings[static_cast<size_t>(rest - begin)] = {weight[k], doc[k]};
          ++rest;
        }
      }
    }
    std::sort(postings.begin(), postings.begin() + prefix, heavier);
    for (int64_t k = begin; k < end; ++k) {
      weight[k] = postings[k - begin].first;
      doc[k] = postings[k - begin].second;
    }
  };
  std::vector<std::vector<std::pair<float, int32_t>>> scratch(static_cast<size_t>(threads));
  if (any_pruned) {
    ParallelForChunks(static_cast<size_t>(terms), kChunk, threads,
                      [&](size_t begin, size_t end, int th) {
                        for (size_t t = begin; t < end; ++t) {
                          sort_term(static_cast<int64_t>(t), scratch[static_cast<size_t>(th)]);
                        }
                      });
  }

  // Band norms of every document, then the nested heavy norms per level.
  // Each term's band is worked out once: a byte per term is read far more
  // cheaply, in a row's random term order, than two postings offsets.
  // (Both loops go in chunks of consecutive items, so that no two threads
  // write the same cache line.)
  std::vector<uint8_t> term_band(static_cast<size_t>(terms));
  ParallelForChunks(term_band.size(), kChunk, threads, [&](size_t begin, size_t end, int) {
    for (size_t t = begin; t < end; ++t) {
      term_band[t] = static_cast<uint8_t>(BandOf(term_df[t], n));
    }
  });
  std::vector<float> band_norm(static_cast<size_t>(n) * kBands, 0.0f);
  ParallelForChunks(static_cast<size_t>(n), kChunk, threads, [&](size_t begin, size_t end, int) {
    for (size_t d = begin; d < end; ++d) {
      std::array<double, kBands> sum2{};
      const SparseRow row = RowOf(docs, static_cast<int32_t>(d));
      for (int64_t i = 0; i < row.size; ++i) {
        const int b = term_band[static_cast<size_t>(row.term[i])];
        if (b < kBands) sum2[b] += static_cast<double>(row.weight[i]) * row.weight[i];
      }
      for (int b = 0; b < kBands; ++b) {
        band_norm[d * kBands + b] = static_cast<float>(std::sqrt(sum2[b]));
      }
    }
  });
  std::vector<float> heavy_norm(static_cast<size_t>(n) * kBands);
  std::vector<std::vector<int32_t>> order(kBands);
  ParallelFor(kBands, threads, [&](size_t b, int) {
    const int level = static_cast<int>(b) + 1;
    float* norm = &heavy_norm[b * static_cast<size_t>(n)];
    for (int32_t d = 0; d < n; ++d) {
      double sum2 = 0;
      for (int c = 0; c < level; ++c) {
        const double x = band_norm[static_cast<size_t>(d) * kBands + c];
        sum2 += x * x;
      }
      norm[d] = static_cast<float>(std::sqrt(sum2));
      if (norm[d] > 0) order[b].push_back(d);
    }
    std::sort(order[b].begin(), order[b].end(), [&](int32_t a, int32_t c) {
      return norm[a] != norm[c] ? norm[a] > norm[c] : a < c;
    });
  });
  std::vector<int64_t> order_start = {0};
  std::vector<int32_t> all_orders;
  for (const std::vector<int32_t>& o : order) {
    all_orders.insert(all_orders.end(), o.begin(), o.end());
    order_start.push_back(static_cast<int64_t>(all_orders.size()));
  }
  Parts parts;
  parts.postings_start = FrozenArray<int64_t>(std::move(offset));
  parts.postings_doc = FrozenArray<int32_t>(std::move(doc));
  parts.postings_weight = FrozenArray<float>(std::move(weight));
  parts.band_norm = FrozenArray<float>(std::move(band_norm));
  parts.heavy_norm = FrozenArray<float>(std::move(heavy_norm));
  parts.heavy_order_start = FrozenArray<int64_t>(std::move(order_start));
  parts.heavy_order = FrozenArray<int32_t>(std::move(all_orders));
  if (df != nullptr && stored < static_cast<size_t>(nnz)) *df = std::move(term_df);
  return parts;
}

absl::StatusOr<SimilarityIndex> SimilarityIndex::FromParts(const SparseMatrixView& docs,
                                                           Parts parts) {
  const auto n = static_cast<size_t>(docs.rows());
  const auto terms = static_cast<size_t>(docs.cols());
  const auto nnz = static_cast<size_t>(docs.nonZeros());
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("search structures: ", what));
  };
  if (parts.postings_start.size() != terms + 1 || parts.postings_doc.size() != nnz ||
      parts.postings_weight.size() != nnz || parts.band_norm.size() != n * kBands ||
      parts.heavy_norm.size() != n * kBands || parts.heavy_order_start.size() != kBands + 1) {
    return bad("array sizes do not match the matrix");
  }
  const int64_t* start = parts.postings_start.data();
  if (start[0] != 0 || static_cast<size_t>(start[terms]) != nnz) {
    return bad("postings starts do not span the postings");
  }
  for (size_t t = 0; t < terms; ++t) {
    if (start[t] > start[t + 1]) return bad(absl::StrCat("postings starts decrease at term ", t));
  }
  const int64_t* order_start = parts.heavy_order_start.data();
  if (order_start[0] != 0 ||
      static_cast<size_t>(order_start[kBands]) != parts.heavy_order.size()) {
    return bad("heavy-norm order starts do not span the orders");
  }
  for (int l = 0; l < kBands; ++l) {
    if (order_start[l] > order_start[l + 1] ||
        static_cast<size_t>(order_start[l + 1] - order_start[l]) > n) {
      return bad(absl::StrCat("heavy-norm order of level ", l + 1, " is malformed"));
    }
  }
  // Document numbers index the score accumulator, so every one must be in
  // range; and its bookkeeping needs sums that never decrease, so weights
  // must be >= 0 (and finite). Checked in parallel chunks: there are hundreds
  // of millions of postings at a million articles.
  auto any_bad = [](size_t size, auto is_bad) {
    return ParallelFindFirst(size, size_t{1} << 20, ThreadCount(0), is_bad) < size;
  };
  const int32_t* doc = parts.postings_doc.data();
  const float* weight = parts.postings_weight.data();
  if (any_bad(nnz, [&](size_t i) {
        return static_cast<uint32_t>(doc[i]) >= n ||
               !(weight[i] >= 0.0f && weight[i] <= std::numeric_limits<float>::max());
      })) {
    return bad("a posting's document is out of range or its weight negative or not finite");
  }
  const int32_t* order = parts.heavy_order.data();
  if (any_bad(parts.heavy_order.size(), [&](size_t i) { return static_cast<uint32_t>(order[i]) >= n; })) {
    return bad("a heavy-norm order's document is out of range");
  }
  return SimilarityIndex(docs, std::move(parts));
}

int SimilarityIndex::BandOf(int64_t df, int64_t n) {
  // Band b holds n / 2^(b+1) < df <= n / 2^b: the number of halvings of n
  // that df still fits under (n >> j only shrinks), counted without a
  // branch. A loop stopping at the band mispredicted about once a query
  // term, and each miss discarded the loads in flight after it.
  int b = 0;
  for (int j = 1; j <= kBands; ++j) b += static_cast<int>(df <= (n >> j));
  return b;
}

bool SimilarityIndex::ScoreTop(SparseRow query, int want, ScoreAccumulator* acc,
                               PairDotCache* cache, int32_t query_doc) const {
  // Bounds are compared with a margin: float sums in other orders differ in
  // the last bits, and a document must never be cut by rounding.
  constexpr float kMargin = 1e-5f;
  if (want <= 0 || query.size == 0) return true;
  // The matrix's non-zeros, which a cut index's postings are not.
  const int64_t nnz = row_start_[rows_];
  const double row_cost =
      static_cast<double>(query.size) + static_cast<double>(nnz) / std::max(1, num_docs());
  // What verifying one document costs, in postings scored: a gather over its
  // row, each term much cheaper than a posting's scattered add. A sixteenth
  // of the mean row ranked 15,000 generated articles fastest in wall time
  // (0.92 -> 0.82 s median of 8, with the band rule below;
  // docs/benchmarks.md). A quarter had given the fewest instructions and
  // cache misses (callgrind), but a scored posting costs more than its
  // instructions: each touched document is then passed over again and again.
  const double verify_cost = 0.0625 * static_cast<double>(nnz) / std::max(1, num_docs());

  // The query's terms by band, each band's norm and postings count.
  std::vector<uint8_t> band(static_cast<size_t>(query.size));
  std::array<double, kBands> q2{};
  std::array<int64_t, kBands + 1> postings{};
  // Each term's offsets are a cache miss of their own (at 15,000 articles,
  // 3.4 MB of them): fetched a few terms ahead. With the branch-free BandOf,
  // this loop took 6,300 cycles a query instead of 12,800 (links on 15,000
  // generated articles, counted with rdtsc).
  constexpr int64_t kOffsetsAhead = 8;
  for (int64_t i = 0; i < query.size; ++i) {
    if (i + kOffsetsAhead < query.size) __builtin_prefetch(&offset_[query.term[i + kOffsetsAhead]]);
    const int32_t t = query.term[i];
    const int64_t df = Df(t);
    const int b = BandOf(df, rows_);
    band[i] = static_cast<uint8_t>(b);
    postings[b] += df;
    if (b < kBands) q2[b] += static_cast<double>(query.weight[i]) * query.weight[i];
  }
  // Bounding pays only where scoring every posting costs more than verifying
  // a few times `want` documents; below that (small corpora, short drafts),
  // score everything.
  int64_t total = 0;
  for (int64_t p : postings) total += p;
  if (static_cast<double>(total) <= 8 * want * row_cost) {
    ScoreExact(query, acc);
    return true;
  }
  std::array<float, kBands> qnorm{};
  for (int b = 0; b < kBands; ++b) qnorm[b] = static_cast<float>(std::sqrt(q2[b]));
  // The query's term positions grouped by band (a counting sort).
  std::array<int32_t, kBands + 2> band_start{};
  for (int64_t i = 0; i < query.size; ++i) ++band_start[band[i] + 1];
  for (int b = 0; b <= kBands; ++b) band_start[b + 1] += band_start[b];
  std::vector<int32_t> by_band(static_cast<size_t>(query.size));
  {
    std::array<int32_t, kBands + 1> fill;
    std::copy(band_start.begin(), band_start.end() - 1, fill.begin());
    for (int64_t i = 0; i < query.size; ++i) by_band[fill[band[i]]++] = static_cast<int32_t>(i);
  }
  Spill spill;
  // Each term's postings are a separate run far from the last (the postings
  // of 15,000 articles already outgrow the caches), so the run a few terms
  // ahead is fetched while this one is scored: ranking ~7 % faster there.
  constexpr int32_t kAhead = 4;
  auto score_band = [&](int b) {
    for (int32_t j = band_start[b]; j < band_start[b + 1]; ++j) {
      if (j + kAhead < band_start[b + 1]) {
        const int64_t ahead = offset_[query.term[by_band[j + kAhead]]];
        __builtin_prefetch(doc_ + ahead);
        __builtin_prefetch(weight_ + ahead);
      }
      const int32_t t = query.term[by_band[j]];
      const float q = query.weight[by_band[j]];
      const TermPostings p = PostingsOf(t, kAll, &spill);
      for (int64_t k = 0; k < p.size; ++k) acc->Add(p.doc[k], q * p.weight[k]);
    }
  };
  // What bands < level could still add to document d: the query's band
  // norms masked to those bands, in a fixed-width loop the compiler
  // vectorises (the bound is compared with a margin, so the order of the sum
  // does not matter).
  static_assert(kBands % 4 == 0);
  std::array<float, kBands> qmask{};
  int qmask_level = 0;
  auto slack = [&](int32_t d, int level) {
    if (level != qmask_level) {
      for (int b = 0; b < kBands; ++b) qmask[b] = b < level ? qnorm[b] : 0.0f;
      qmask_level = level;
    }
    const float* norms = &band_norm_[static_cast<size_t>(d) * kBands];
    std::array<float, 4> s{};
    for (int b = 0; b < kBands; b += 4) {
      for (int l = 0; l < 4; ++l) s[l] += qmask[b + l] * norms[b + l];
    }
    return (s[0] + s[1]) + (s[2] + s[3]);
  };
  // |q| over the bands < level.
  std::array<float, kBands + 1> heavy_q{};
  {
    double sum2 = 0;
    for (int b = 0; b < kBands; ++b) {
      sum2 += q2[b];
      heavy_q[b + 1] = static_cast<float>(std::sqrt(sum2));
    }
  }
  std::array<const float*, kBands + 1> heavy_norm{};
  for (int l = 1; l <= kBands; ++l) heavy_norm[l] = HeavyNorm(l).data();
  // Whether document d, with `partial` scored, may reach `floor` at `level`:
  // Cauchy-Schwarz over all the bounded bands at once (one product: what
  // they add <= |q_heavy| * |d_heavy|). The per-band bound (slack) is
  // tighter, but while bands are being scored it turned away only 3 % of the
  // documents this one let through (4,395 -> 4,269 a query on 15,000
  // generated articles), for a 48-byte read each: ranking took 18 % longer
  // with it. It still orders the final candidates (bound below).
  auto reaches = [&](int32_t d, float partial, int level, float floor) {
    if (level == 0) return partial >= floor;
    return partial + heavy_q[level] * heavy_norm[level][d] >= floor;
  };
  auto by_bound_desc = [](const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };

  // Exact scores (bit-identical to Dot()), for verifying.
  const ScatteredRow dense(query, acc->QueryScratch(static_cast<size_t>(cols_)));
  if (query_doc < 0) cache = nullptr;
  auto dense_dot = [&](int32_t d) {
    auto compute = [&] { return dense.DotOfOverlapping(Row(d)); };
    return cache == nullptr || d == query_doc ? compute() : cache->Dot(query_doc, d, compute);
  };

  // Rare bands first. A band with fewer postings than a quarter of the
  // documents touched so far costs less to score than deciding whether to
  // (a pass over them); with "fewer than all of them", bands were absorbed in
  // a cascade, each touching more documents for every later pass.
  score_band(kBands);
  int level = kBands;  // bands < level are bounded, not scored
  auto score_next_band = [&] {
    if (postings[level - 1] > 0) score_band(level - 1);
    --level;
  };
  auto absorb_cheap_bands = [&] {
    while (level > 0 && 4 * postings[level - 1] <= static_cast<int64_t>(acc->touched().size())) {
      score_next_band();
    }
  };
  // The largest slack any document can have at `level`: a cheap first filter.
  auto max_slack = [&](int level) {
    float s = 0;
    for (int b = 0; b < level; ++b) s += qnorm[b] * band_max_[b];
    return s;
  };

  // `lower`: a lower bound of the want-th best exact score: the want-th best
  // partial score offered to `top` (-1 while fewer than want documents are
  // touched). Only grows. A partial score is a sum of some of a document's
  // non-negative products, so its exact score is at least that, up to
  // rounding (the margin). Verifying the want best partial scores would
  // give a higher bound, but most of them turn out not to be needed: on
  // 15,000 generated articles that spent 44 of 57 verifications a query and
  // made ranking ~13 % slower (docs/benchmarks.md).
  float lower = -1.0f;
  std::priority_queue<float, std::vector<float>, std::greater<float>> top;  // worst on top
  // The worst partial score in `top` once full: most documents fall below it
  // and are turned away by one comparison.
  float top_floor = -1.0f;
  auto offer = [&](int32_t, float partial) {
    if (partial <= top_floor) return;
    top.push(partial);
    if (top.size() > static_cast<size_t>(want)) top.pop();
    if (top.size() == static_cast<size_t>(want)) top_floor = top.top();
  };
  auto raise_lower = [&] {
    if (top.size() == static_cast<size_t>(want)) lower = std::max(lower, top.top());
    top = {};
    top_floor = -1.0f;
  };
  absorb_cheap_bands();
  while (level > 0) {
    acc->ForEachAtLeast(-1.0f, offer);
    raise_lower();
    if (lower >= 0) break;
    score_next_band();
    absorb_cheap_bands();
  }

  // Candidates: touched documents whose bound reaches `lower`. A document
  // whose bound falls below it can never come back (scoring a band adds at
  // most what the bound allowed for it, by Cauchy-Schwarz again, and `lower`
  // only grows), so from here on
  // only the candidates, and the documents a newly scored band touches for
  // the first time, need looking at: no more passes over every touched one.
  std::vector<int32_t> cands;
  auto bound = [&](int32_t d) { return acc->score(d) + slack(d, level); };
  if (lower >= 0) {
    const float loose = lower - max_slack(level) - kMargin;
    acc->ForEachAtLeast(loose, [&](int32_t d, float partial) {
      if (reaches(d, partial, level, lower - kMargin)) cands.push_back(d);
    });
  } else {
    cands.assign(acc->touched().begin(), acc->touched().end());
  }
  // Before each commoner band, compare its postings with the cost of
  // verifying now (the candidates, and the untouched documents the bounded
  // bands alone could lift to `lower`); stop when verifying is cheaper.
  while (level > 0) {
    if (postings[level - 1] > static_cast<int64_t>(acc->touched().size())) {
      const float qh = heavy_q[level];
      const absl::Span<const float> norm = HeavyNorm(level);
      const absl::Span<const int32_t> order = HeavyOrder(level);
      const int64_t verify =
          static_cast<int64_t>(cands.size()) +
          (std::partition_point(order.begin(), order.end(),
                                [&](int32_t d) { return qh * norm[d] >= lower - kMargin; }) -
           order.begin());
      if (static_cast<double>(postings[level - 1]) >= static_cast<double>(verify) * verify_cost) {
        break;
      }
    }
    const size_t seen = acc->touched().size();
    score_next_band();
    // The best partial scores of the candidates and of the newly touched
    // documents may raise `lower` (a newly touched one whose bound misses
    // the old `lower` has a partial score below it, so offering it changes
    // nothing); then the candidates whose bound misses it leave, and the
    // newly touched whose bound reaches it join. Most newly touched ones
    // are turned away by the largest heavy norm of the level, a register,
    // before their own is read: on 15,000 generated articles 3,300 of
    // 5,100 a query. (Testing them before the offers, against the old
    // `lower`, pushed 4,400 of them only to erase them after.)
    const absl::Span<const int32_t> touched = acc->touched();
    for (int32_t d : cands) offer(d, acc->score(d));
    for (size_t i = seen; i < touched.size(); ++i) offer(touched[i], acc->score(touched[i]));
    raise_lower();
    const float floor = lower - kMargin;
    std::erase_if(cands, [&](int32_t d) { return !reaches(d, acc->score(d), level, floor); });
    // reaches() with the level's largest heavy norm: never below a
    // document's own bound (rounding is monotone), so never turns one away
    // that reaches().
    float most = 0.0f;
    if (level > 0 && !HeavyOrder(level).empty()) {
      most = heavy_q[level] * heavy_norm[level][HeavyOrder(level)[0]];
    }
    for (size_t i = seen; i < touched.size(); ++i) {
      const int32_t d = touched[i];
      const float partial = acc->score(d);
      if (partial + most >= floor && reaches(d, partial, level, floor)) cands.push_back(d);
    }
  }

  // Verify: exact scores in decreasing order of bound, until no bound can
  // reach the want-th best exact score found.
  std::vector<std::pair<float, int32_t>> bounds;
  bounds.reserve(cands.size());
  for (int32_t d : cands) bounds.emplace_back(bound(d), d);
  std::priority_queue<float, std::vector<float>, std::greater<float>> best;  // want best scores
  std::vector<std::pair<int32_t, float>> exact;
  auto threshold = [&] {
    return best.size() < static_cast<size_t>(want) ? -1.0f : best.top() - kMargin;
  };
  auto keep = [&](int32_t d, float score) {
    exact.emplace_back(d, score);
    if (best.size() < static_cast<size_t>(want)) {
      best.push(score);
    } else if (score > best.top()) {
      best.pop();
      best.push(score);
    }
  };
  size_t sorted = 0;
  for (size_t j = 0; j < bounds.size(); ++j) {
    if (j == sorted) {
      sorted = std::min(bounds.size(), std::max<size_t>(2 * static_cast<size_t>(want), 4 * sorted));
      std::partial_sort(bounds.begin() + static_cast<std::ptrdiff_t>(j),
                        bounds.begin() + static_cast<std::ptrdiff_t>(sorted), bounds.end(),
                        by_bound_desc);
    }
    if (bounds[j].first < threshold()) break;
    // The next candidate's row, fetched while this one is verified: a row
    // is far from the last one verified and each dot waited on it (a
    // 303-term dot took ~2,500 cycles, ~1,600 with this; links on 15,000
    // generated articles, docs/benchmarks.md). Only its first line was not
    // enough: the hardware prefetcher does not run ahead of two streams.
    if (j + 1 < sorted) {
      const SparseRow next = Row(bounds[j + 1].second);
      for (int64_t k = 0; k < next.size; k += 16) {
        __builtin_prefetch(next.term + k);
        __builtin_prefetch(next.weight + k);
      }
    }
    keep(bounds[j].second, dense_dot(bounds[j].second));
  }
  // Documents sharing no scored term: only the bounded bands can lift them.
  if (level > 0) {
    const float qh = heavy_q[level];
    const absl::Span<const float> norm = HeavyNorm(level);
    for (int32_t d : HeavyOrder(level)) {
      if (qh * norm[d] < threshold()) break;
      if (acc->score(d) != 0.0f || slack(d, level) < threshold()) continue;
      const float score = dense_dot(d);
      if (score > 0) keep(d, score);
    }
  }
  const bool complete = best.size() < static_cast<size_t>(want);
  const float cut = complete ? 0.0f : best.top();
  acc->Clear();
  for (const auto& [d, score] : exact) {
    if (score >= cut && score > 0) acc->Add(d, score);
  }
  return complete;
}

void SimilarityIndex::ScoreExact(SparseRow query, ScoreAccumulator* acc) const {
  // Term at a time, in increasing term order: each document's sum is formed
  // in the same order as Dot(), so both give bit-identical scores.
  Spill spill;
  for (int64_t i = 0; i < query.size; ++i) {
    const float q = query.weight[i];
    const TermPostings p = PostingsOf(query.term[i], kAll, &spill);
    for (int64_t k = 0; k < p.size; ++k) acc->Add(p.doc[k], q * p.weight[k]);
  }
}

int64_t SimilarityIndex::Postings(SparseRow query) const {
  int64_t total = 0;
  for (int64_t i = 0; i < query.size; ++i) total += Df(query.term[i]);
  return total;
}

SimilarityIndex::TermPostings SimilarityIndex::KeepHeaviest(
    std::vector<std::pair<float, int32_t>> postings, int64_t count, Spill* spill) {
  if (count < static_cast<int64_t>(postings.size())) {
    std::nth_element(postings.begin(), postings.begin() + count, postings.end(),
                     [](const Posting& a, const Posting& b) { return Heavier(a, b); });
    postings.resize(static_cast<size_t>(count));
  }
  spill->doc.clear();
  spill->weight.clear();
  for (const auto& [w, d] : postings) {
    spill->doc.push_back(d);
    spill->weight.push_back(w);
  }
  return {spill->doc.data(), spill->weight.data(), static_cast<int64_t>(postings.size())};
}

SimilarityIndex::TermPostings SimilarityIndex::Heaviest(int32_t t, int64_t count,
                                                        Spill* spill) const {
  std::vector<Posting> postings;
  for (int64_t k = offset_[t]; k < offset_[t + 1]; ++k) postings.emplace_back(weight_[k], doc_[k]);
  return KeepHeaviest(std::move(postings), count, spill);
}

SimilarityIndex::TermPostings SimilarityIndex::Recover(int32_t t, int64_t count,
                                                       Spill* spill) const {
  std::vector<Posting> postings;
  for (int32_t d = 0; d < rows_; ++d) {
    const SparseRow row = Row(d);
    const int32_t* at = std::lower_bound(row.term, row.term + row.size, t);
    if (at != row.term + row.size && *at == t) postings.emplace_back(row.weight[at - row.term], d);
  }
  return KeepHeaviest(std::move(postings), count, spill);
}

void SimilarityIndex::Score(SparseRow query, const Pruning& pruning,
                            ScoreAccumulator* acc) const {
  if (pruning.exact()) {
    ScoreExact(query, acc);
    return;
  }
  // The query's heaviest terms carry most of any cosine: gather candidates
  // from their heaviest postings only.
  std::vector<int64_t> order(static_cast<size_t>(query.size));
  std::iota(order.begin(), order.end(), 0);
  const size_t m = pruning.query_terms > 0
                       ? std::min(order.size(), static_cast<size_t>(pruning.query_terms))
                       : order.size();
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), order.end(),
                    [&](int64_t a, int64_t b) {
                      return query.weight[a] != query.weight[b] ? query.weight[a] > query.weight[b]
                                                                : a < b;
                    });
  const int64_t per_term = pruning.postings_per_term > 0
                              ? std::min<int64_t>(pruning.postings_per_term, kImpactPrefix)
                              : kAll;
  Spill spill;
  for (size_t j = 0; j < m; ++j) {
    const float q = query.weight[order[j]];
    const TermPostings p = PostingsOf(query.term[order[j]], per_term, &spill);
    // Prefetching the sums a few postings ahead: 5-10 % less time at 1M
    // articles (bench/candidate_kernels), where they are a 4 MB array.
    for (int64_t k = 0; k < p.size; ++k) {
      if (k + 16 < p.size) acc->Prefetch(p.doc[k + 16]);
      acc->Add(p.doc[k], q * p.weight[k]);
    }
  }
  // Keep the best candidates by partial score and score them exactly.
  std::vector<std::pair<float, int32_t>>& candidates = acc->Candidates();
  candidates.reserve(acc->touched().size());
  acc->Drain([&](int32_t d, float score) { candidates.emplace_back(score, d); });
  const size_t r = pruning.rescore > 0
                       ? std::min(candidates.size(), static_cast<size_t>(pruning.rescore))
                       : candidates.size();
  // (score, document) pairs are distinct: the best r, then their order, are
  // the same as a partial sort's, in linear time for the selection.
  auto better = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  if (r > 0 && r < candidates.size()) {
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(r - 1),
                     candidates.end(), better);
  }
  std::sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(r), better);
  // A gather against the scattered query: no branchy merge per candidate.
  const ScatteredRow dense(query, acc->QueryScratch(static_cast<size_t>(cols_)));
  for (size_t j = 0; j < r; ++j) {
    const int32_t d = candidates[j].second;
    acc->Add(d, dense.Dot(Row(d)));
  }
}

}  // namespace seealso
