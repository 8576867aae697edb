// A count-min sketch of small document frequencies, for deciding which word
// pairs can possibly reach bigram_min_df before any pair is stored exactly.
//
// Most word pairs of a corpus occur in one article only (at a million
// generated articles: well over a hundred million of them), and a bigram in
// one article links nothing, so the index drops them. Counting every pair
// exactly first was most of the index build's memory; the sketch needs two
// bits per counter and lets only pairs that may reach the threshold through.
#ifndef SEEALSO_EMBEDDINGS_DF_SKETCH_H_
#define SEEALSO_EMBEDDINGS_DF_SKETCH_H_

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace seealso {

class DfSketch {
 public:
  // The largest count a counter holds; estimates saturate there.
  static constexpr int kMaxCount = 3;

  // A sketch with at least `counters` counters (rounded up to a power of two,
  // at least 64). Each key takes two counters, so with counters >= 8 x the
  // distinct keys, a key seen once reads 1 with probability > 0.95.
  explicit DfSketch(size_t counters)
      : size_(std::bit_ceil(std::max<size_t>(counters, 64))),
        words_(std::make_unique<std::atomic<uint64_t>[]>(size_ / kPerWord)) {}

  // Counts `key` once (saturating at kMaxCount). Safe from many threads; the
  // result does not depend on their order.
  void Add(uint64_t key) {
    const Pair c = CountersOf(key);
    Increment(c.first);
    Increment(c.second);
  }

  // At least min(kMaxCount, the number of Add(key) calls); never less.
  int Estimate(uint64_t key) const {
    const Pair c = CountersOf(key);
    return std::min(Get(c.first), Get(c.second));
  }

  // Starts loading the counters of `key` into the cache: the sketch is far
  // larger than the caches, so a loop over many keys issues this a few keys
  // ahead of Add or Estimate to overlap their misses.
  void Prefetch(uint64_t key) const {
    const Pair c = CountersOf(key);
    __builtin_prefetch(&words_[c.first / kPerWord]);
    __builtin_prefetch(&words_[c.second / kPerWord]);
  }

  size_t counters() const { return size_; }

 private:
  static constexpr size_t kPerWord = 32;  // 2-bit counters in a 64-bit word
  using Pair = std::pair<uint64_t, uint64_t>;

  // The two counters of `key`; Add, Estimate and Prefetch must agree on them.
  Pair CountersOf(uint64_t key) const {
    const uint64_t h = Mix(key);
    return {h & (size_ - 1), Mix(h) & (size_ - 1)};
  }

  // splitmix64's finaliser: keys built from small ids need their bits spread.
  static uint64_t Mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  int Get(uint64_t c) const {
    const uint64_t word = words_[c / kPerWord].load(std::memory_order_relaxed);
    return static_cast<int>((word >> (2 * (c % kPerWord))) & 3u);
  }
  void Increment(uint64_t c) {
    std::atomic<uint64_t>& word = words_[c / kPerWord];
    const unsigned shift = 2 * (c % kPerWord);
    uint64_t old = word.load(std::memory_order_relaxed);
    while (((old >> shift) & 3u) != kMaxCount &&
           !word.compare_exchange_weak(old, old + (uint64_t{1} << shift),
                                       std::memory_order_relaxed)) {
    }
  }

  size_t size_;
  std::unique_ptr<std::atomic<uint64_t>[]> words_;  // value-initialised: all zero
};

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_DF_SKETCH_H_
