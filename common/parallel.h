// A minimal fork-join loop over an index range.
#ifndef SEEALSO_COMMON_PARALLEL_H_
#define SEEALSO_COMMON_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace seealso {

// Threads to use for `requested` (<= 0 means one per hardware thread).
inline int ThreadCount(int requested) {
  return requested > 0 ? requested
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Calls f(i, t) for every i in [0, n) on `threads` threads, thread t taking
// i = t, t + threads, ...: interleaving balances long and short items, and
// which thread handles which item is fixed, so results never depend on timing.
template <typename F>
void ParallelFor(size_t n, int threads, F f) {
  auto work = [&](int t) {
    for (size_t i = static_cast<size_t>(t); i < n; i += static_cast<size_t>(threads)) f(i, t);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
}

// Calls f(i, t, &next) exactly once for every i in [0, n) on `threads`
// threads, in an order the items choose: f appends to `next` (empty on each
// call) the items it would have its thread do next, best first. Each thread
// walks depth first: it goes on with the newest suggestion nobody has taken
// yet (out-of-range ones are skipped), else with the lowest item not taken.
// For work that is cheaper when an item follows one sharing its data: a query
// after its neighbour finds their rows and postings still in cache. Which
// thread does an item, and when, depends on timing, so f's results must not.
template <typename F>
void ParallelWalk(size_t n, int threads, F f) {
  std::vector<std::atomic<bool>> taken(n);  // value-initialised: all false
  std::atomic<size_t> cursor{0};
  auto take = [&](size_t i) {
    return i < n && !taken[i].exchange(true, std::memory_order_relaxed);
  };
  auto work = [&](int t) {
    // Suggestions not followed yet, the newest last; past kMaxPending the
    // oldest half is dropped (they are far from the walk by then).
    constexpr size_t kMaxPending = 4096;
    std::vector<size_t> pending;
    std::vector<size_t> next;
    for (;;) {
      for (size_t k = next.size(); k-- > 0;) pending.push_back(next[k]);
      if (pending.size() > kMaxPending) {
        pending.erase(pending.begin(), pending.begin() + kMaxPending / 2);
      }
      size_t i = n;
      while (i == n && !pending.empty()) {
        const size_t j = pending.back();
        pending.pop_back();
        if (take(j)) i = j;
      }
      while (i == n) {
        const size_t j = cursor.fetch_add(1, std::memory_order_relaxed);
        if (j >= n) return;
        if (take(j)) i = j;
      }
      next.clear();
      f(i, t, &next);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
}

// Calls f(begin, end, t) for consecutive ranges [begin, end) of at most
// `chunk` items covering [0, n), the ranges shared out as ParallelFor shares
// items: one thread handles a whole range, so threads filling an array do not
// write the same cache lines.
template <typename F>
void ParallelForChunks(size_t n, size_t chunk, int threads, F f) {
  ParallelFor((n + chunk - 1) / chunk, threads,
              [&](size_t c, int t) { f(c * chunk, std::min(n, (c + 1) * chunk), t); });
}

// Sorts `v` by `less` on up to `threads` threads, in place (no second
// copy of `v`: it may be most of memory): the range is split around a
// sampled median, the two sides sorted on separate threads, recursively,
// down to std::sort. `less` must be a strict total order (no two elements
// equivalent); then the result is std::sort's, whatever the thread count.
template <typename T, typename Less>
void ParallelSort(std::vector<T>* v, int threads, Less less) {
  constexpr std::ptrdiff_t kSmall = 1 << 14;  // not worth a thread below this
  auto sort = [&](auto& self, T* begin, T* end, int share) -> void {
    const std::ptrdiff_t n = end - begin;
    if (share <= 1 || n < kSmall) {
      std::sort(begin, end, less);
      return;
    }
    constexpr std::ptrdiff_t kSample = 63;
    std::vector<T> sample;
    for (std::ptrdiff_t k = 0; k < kSample; ++k) sample.push_back(begin[n * k / kSample]);
    std::nth_element(sample.begin(), sample.begin() + kSample / 2, sample.end(), less);
    const T pivot = sample[kSample / 2];
    T* mid = std::partition(begin, end, [&](const T& x) { return less(x, pivot); });
    if (mid == begin || mid == end) {  // cannot happen with distinct elements; be safe
      std::sort(begin, end, less);
      return;
    }
    std::thread left([&] { self(self, begin, mid, share / 2); });
    self(self, mid, end, share - share / 2);
    left.join();
  };
  sort(sort, v->data(), v->data() + v->size(), threads);
}

// The smallest i in [0, n) with bad(i), or n if there is none, checked on
// `threads` threads in chunks of `chunk`. Each thread stops at its first find;
// taking its chunks in increasing order, that is its smallest, so the answer
// is the same whatever the timing. For validating large arrays on load.
template <typename F>
size_t ParallelFindFirst(size_t n, size_t chunk, int threads, F bad) {
  std::vector<size_t> found(static_cast<size_t>(threads), n);
  ParallelForChunks(n, chunk, threads, [&](size_t begin, size_t end, int t) {
    size_t& mine = found[static_cast<size_t>(t)];
    if (mine != n) return;
    for (size_t i = begin; i < end; ++i) {
      if (bad(i)) {
        mine = i;
        return;
      }
    }
  });
  return *std::min_element(found.begin(), found.end());
}

}  // namespace seealso

#endif  // SEEALSO_COMMON_PARALLEL_H_
