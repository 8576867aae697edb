// The fork-join helpers give the sequential answer whatever the thread count.
#include "common/parallel.h"

#include <algorithm>
#include <atomic>
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

TEST(ParallelWalkTest, OneThreadWalksTheSuggestionsDepthFirst) {
  // Item i suggests 2i + 1 then 2i + 2 (a binary tree) and one out of range.
  std::vector<size_t> order;
  ParallelWalk(7, 1, [&](size_t i, int t, std::vector<size_t>* next) {
    EXPECT_EQ(t, 0);
    EXPECT_TRUE(next->empty());
    order.push_back(i);
    next->push_back(2 * i + 1);
    next->push_back(2 * i + 2);
    next->push_back(1000);
  });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 3, 4, 2, 5, 6}));
}

TEST(ParallelWalkTest, FallsBackToTheLowestItemNotTaken) {
  // 0 suggests 5, 5 suggests 0 (taken) and nothing else: then 1, 2, 3, 4, 6.
  std::vector<size_t> order;
  ParallelWalk(7, 1, [&](size_t i, int, std::vector<size_t>* next) {
    order.push_back(i);
    if (i == 0) next->push_back(5);
    if (i == 5) next->push_back(0);
  });
  EXPECT_EQ(order, (std::vector<size_t>{0, 5, 1, 2, 3, 4, 6}));
  ParallelWalk(0, 3, [](size_t, int, std::vector<size_t>*) { ADD_FAILURE(); });
}

TEST(ParallelWalkTest, EveryItemExactlyOnceWhateverTheThreads) {
  for (int threads : {1, 2, 3, 8}) {
    for (size_t n : {1u, 2u, 1000u, 30000u}) {
      std::vector<std::atomic<int>> calls(n);
      std::vector<std::atomic<int>> by_thread(static_cast<size_t>(threads));
      ParallelWalk(n, threads, [&](size_t i, int t, std::vector<size_t>* next) {
        ++calls[i];
        ++by_thread[static_cast<size_t>(t)];
        // Many suggestions, most of them taken already or out of range.
        std::mt19937_64 rng(i);
        for (int k = 0; k < 12; ++k) next->push_back(rng() % (n + n / 4 + 1));
      });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(calls[i].load(), 1) << i << " of " << n;
      int total = 0;
      for (const auto& c : by_thread) total += c.load();
      EXPECT_EQ(total, static_cast<int>(n));
    }
  }
}

}  // namespace
}  // namespace seealso
