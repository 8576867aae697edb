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

}  // namespace seealso

#endif  // SEEALSO_COMMON_PARALLEL_H_
