// Runs of set bits in 64-bit block masks (bit k = byte k of a 64-byte block
// is in some class), for the vector passes that look for long runs.
#ifndef SBSCAN_DECODERS_BIT_RUNS_H_
#define SBSCAN_DECODERS_BIT_RUNS_H_

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

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_BIT_RUNS_H_
