// The fork-join helpers give the sequential answer whatever the thread count.
#include "common/parallel.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace seealso {
namespace {

TEST(ParallelSortTest, EqualsStdSortForAnyThreadCountAndSize) {
  std::mt19937_64 rng(7);
  // Sizes around the per-run minimum (4096) and odd splits of the runs.
  for (size_t n : {0u, 1u, 4095u, 4096u, 8193u, 20487u, 100000u}) {
    std::vector<uint64_t> keys(n);
    std::iota(keys.begin(), keys.end(), 0);
    std::shuffle(keys.begin(), keys.end(), rng);
    std::vector<uint64_t> expected = keys;
    std::sort(expected.begin(), expected.end(), std::greater<>());
    for (int threads : {1, 2, 3, 5, 8}) {
      std::vector<uint64_t> sorted = keys;
      ParallelSort(&sorted, threads, std::greater<>());
      EXPECT_EQ(sorted, expected) << n << " keys, " << threads << " threads";
    }
  }
}

TEST(ParallelFindFirstTest, FindsTheSmallestWhateverTheChunking) {
  std::vector<int> bad(10000, 0);
  bad[7777] = bad[4321] = bad[9999] = 1;
  for (int threads : {1, 2, 3, 8}) {
    for (size_t chunk : {1u, 7u, 1000u, 20000u}) {
      EXPECT_EQ(ParallelFindFirst(bad.size(), chunk, threads, [&](size_t i) { return bad[i] != 0; }),
                4321u);
    }
  }
  EXPECT_EQ(ParallelFindFirst(100, 8, 2, [](size_t) { return false; }), 100u);
}

}  // namespace
}  // namespace seealso
