#include "embeddings/df_sketch.h"

#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace seealso {
namespace {

TEST(DfSketchTest, SizeIsAPowerOfTwoAndEmptyReadsZero) {
  EXPECT_EQ(DfSketch(1000).counters(), 1024u);
  EXPECT_EQ(DfSketch(1).counters(), 64u);
  const DfSketch sketch(1 << 10);
  for (uint64_t key = 0; key < 5000; ++key) ASSERT_EQ(sketch.Estimate(key), 0) << key;
}

TEST(DfSketchTest, CountsSaturateAtMaxCount) {
  DfSketch sketch(1 << 16);
  const uint64_t key = 42ull << 32 | 7;
  for (int i = 1; i <= 6; ++i) {
    sketch.Add(key);
    EXPECT_EQ(sketch.Estimate(key), std::min(i, DfSketch::kMaxCount)) << i;
  }
}

// The one property the index build relies on: an estimate is never below
// the true count (capped at kMaxCount), however crowded the sketch, and
// adds from several threads give the same counters as one thread.
TEST(DfSketchTest, NeverUndercountsEvenWhenCrowded) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> keys(20000);
  for (uint64_t& k : keys) k = rng();
  std::vector<int> times(keys.size());
  for (int& t : times) t = static_cast<int>(rng() % 5);  // 0..4 adds each
  DfSketch crowded(1 << 12);  // far fewer counters than keys
  DfSketch sequential(1 << 12);
  std::vector<std::thread> threads;
  for (int part = 0; part < 4; ++part) {
    threads.emplace_back([&, part] {
      for (size_t i = static_cast<size_t>(part); i < keys.size(); i += 4) {
        for (int t = 0; t < times[i]; ++t) crowded.Add(keys[i]);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < keys.size(); ++i) {
    for (int t = 0; t < times[i]; ++t) sequential.Add(keys[i]);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_GE(crowded.Estimate(keys[i]), std::min(times[i], DfSketch::kMaxCount)) << i;
    ASSERT_EQ(crowded.Estimate(keys[i]), sequential.Estimate(keys[i])) << i;
  }
}

// Sized as the build sizes it (at least 4 counters per add), few keys added
// once are mistaken for keys added twice: that share is what the exact count
// still has to store.
TEST(DfSketchTest, FewOnceSeenKeysPassAThresholdOfTwo) {
  // Word-pair-like keys: small ids in both halves.
  std::vector<uint64_t> once, twice;
  for (uint64_t a = 0; a < 300; ++a) {
    for (uint64_t b = 0; b < 100; ++b) (b % 10 == 0 ? twice : once).push_back(a << 32 | b);
  }
  DfSketch sketch(4 * (once.size() + 2 * twice.size()));
  for (uint64_t k : once) sketch.Add(k);
  for (uint64_t k : twice) {
    sketch.Add(k);
    sketch.Add(k);
  }
  size_t passed = 0;
  for (uint64_t k : once) passed += sketch.Estimate(k) >= 2;
  for (uint64_t k : twice) ASSERT_GE(sketch.Estimate(k), 2);
  EXPECT_LT(static_cast<double>(passed) / static_cast<double>(once.size()), 0.1) << passed;
}

}  // namespace
}  // namespace seealso
