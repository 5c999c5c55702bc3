// Runs of set bits in 64-bit block masks (bit k = byte k of a 64-byte block
// is in some class), for the vector passes that look for long runs.
#ifndef SBSCAN_DECODERS_BIT_RUNS_H_
#define SBSCAN_DECODERS_BIT_RUNS_H_

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sbscan::decoders {

// Whether `m` has a run of at least `k` (1..64) consecutive set bits:
// log2(k) shift-and steps, or for k >= 32 the run through bit 31 (every run
// of 32 or more holds bit 31 but [32, 64)).
inline bool HasOnesRun(uint64_t m, size_t k) {
  if (k >= 32) {
    if (k == 32 && (m >> 32) == 0xFFFFFFFFu) return true;
    if (!((m >> 31) & 1)) return false;
    const size_t up = static_cast<size_t>(__builtin_ctzll(~(m >> 31)));  // bits 31.. set
    const size_t down = static_cast<size_t>(__builtin_clzll(~(m << 33)));  // bits 30.. set
    return up + down >= k;
  }
  size_t have = 1;
  while (have * 2 <= k) {
    m &= m >> have;
    have *= 2;
  }
  if (have < k) m &= m >> (k - have);
  return m != 0;
}

// Longest run of set bits of `x`.
inline size_t LongestRun(uint64_t x) {
  size_t r = 0;
  while (x) {
    x &= x << 1;
    ++r;
  }
  return r;
}

// Folds the 64-byte block mask `m` (bit i: byte i is in the run's class)
// into a run that carries over blocks (`run`) and its maximum (`best`).
// Bits of `m` past the end of the text must be 0.
inline void Runs(uint64_t m, size_t& run, size_t& best) {
  if (m == ~uint64_t{0}) {
    run += 64;
    return;
  }
  best = std::max(best, run + static_cast<size_t>(std::countr_zero(~m)));
  if (best < 64 && HasOnesRun(m, best + 1)) best = std::max(best, LongestRun(m));
  run = std::countl_zero(~m);
}

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_BIT_RUNS_H_
