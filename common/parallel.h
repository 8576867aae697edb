// A minimal fork-join loop over an index range.
#ifndef SEEALSO_COMMON_PARALLEL_H_
#define SEEALSO_COMMON_PARALLEL_H_

#include <algorithm>
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

// Calls f(begin, end, t) for consecutive ranges [begin, end) of at most
// `chunk` items covering [0, n), the ranges shared out as ParallelFor shares
// items: one thread handles a whole range, so threads filling an array do not
// write the same cache lines.
template <typename F>
void ParallelForChunks(size_t n, size_t chunk, int threads, F f) {
  ParallelFor((n + chunk - 1) / chunk, threads,
              [&](size_t c, int t) { f(c * chunk, std::min(n, (c + 1) * chunk), t); });
}

// Sorts `v` by `less` on up to `threads` threads: a run per thread sorted
// by std::sort, then runs merged pairwise. `less` must be a strict total
// order (no two elements equivalent); then the result is std::sort's,
// whatever the thread count.
template <typename T, typename Less>
void ParallelSort(std::vector<T>* v, int threads, Less less) {
  const size_t n = v->size();
  const size_t runs = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), n / 4096 + 1);
  if (runs <= 1) {
    std::sort(v->begin(), v->end(), less);
    return;
  }
  std::vector<size_t> bound(runs + 1);
  for (size_t r = 0; r <= runs; ++r) bound[r] = n * r / runs;
  ParallelFor(runs, static_cast<int>(runs), [&](size_t r, int) {
    std::sort(v->begin() + static_cast<std::ptrdiff_t>(bound[r]),
              v->begin() + static_cast<std::ptrdiff_t>(bound[r + 1]), less);
  });
  std::vector<T> other(n);
  std::vector<T>* from = v;
  std::vector<T>* to = &other;
  for (size_t width = 1; width < runs; width *= 2) {
    const size_t pairs = (runs + 2 * width - 1) / (2 * width);
    ParallelFor(pairs, static_cast<int>(pairs), [&](size_t p, int) {
      const size_t lo = bound[2 * width * p];
      const size_t mid = bound[std::min(runs, 2 * width * p + width)];
      const size_t hi = bound[std::min(runs, 2 * width * (p + 1))];
      std::merge(from->begin() + static_cast<std::ptrdiff_t>(lo),
                 from->begin() + static_cast<std::ptrdiff_t>(mid),
                 from->begin() + static_cast<std::ptrdiff_t>(mid),
                 from->begin() + static_cast<std::ptrdiff_t>(hi),
                 to->begin() + static_cast<std::ptrdiff_t>(lo), less);
    });
    std::swap(from, to);
  }
  if (from != v) v->swap(*from);
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
