// The dot products of document pairs computed lately, remembered.
#ifndef SEEALSO_SCORING_PAIR_DOT_CACHE_H_
#define SEEALSO_SCORING_PAIR_DOT_CACHE_H_

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace seealso {

// Exact dot products of pairs of rows of one document matrix, in a
// direct-mapped table: a lookup is one probe, and a new pair evicts the one
// in its slot. The dot of two rows is symmetric bit for bit (the shared
// terms' products, a * b == b * a, summed in increasing term order, whichever
// row is scattered), so a pair is one entry. For batch ranking on one thread:
// the queries of a walk (ParallelWalk) verify and dedup many of the pairs
// their neighbours did. Not thread-safe; one matrix per cache.
class PairDotCache {
 public:
  // 2^15 slots of 16 bytes: 512 KB, within a core's L2 beside the query's data.
  static constexpr int kLogSlots = 15;

  PairDotCache() : slots_(size_t{1} << kLogSlots, {kEmpty, 0.0f}) {}

  // The dot of documents a and b (a != b) if remembered, else nullptr; valid
  // until the next Put.
  const float* Find(int32_t a, int32_t b) const {
    const uint64_t key = Key(a, b);
    const auto& slot = slots_[Slot(key)];
    return slot.first == key ? &slot.second : nullptr;
  }
  // Remembers the dot of documents a and b (a != b), exactly as computed.
  void Put(int32_t a, int32_t b, float dot) {
    const uint64_t key = Key(a, b);
    slots_[Slot(key)] = {key, dot};
  }
  // The dot of documents a and b (a != b): remembered, or compute() (which
  // must give exactly that dot), then remembered.
  template <typename F>
  float Dot(int32_t a, int32_t b, F compute) {
    if (const float* known = Find(a, b)) return *known;
    const float dot = compute();
    Put(a, b, dot);
    return dot;
  }

 private:
  // (a, b) with a < b never gives the all-ones key.
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static uint64_t Key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(std::min(a, b))) << 32) |
           static_cast<uint32_t>(std::max(a, b));
  }
  static size_t Slot(uint64_t key) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - kLogSlots));
  }

  std::vector<std::pair<uint64_t, float>> slots_;
};

}  // namespace seealso

#endif  // SEEALSO_SCORING_PAIR_DOT_CACHE_H_
