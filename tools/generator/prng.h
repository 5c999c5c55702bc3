// Deterministic pseudo-random numbers for the corpus generator.
//
// The generator must produce byte-identical output for the same seed on every
// platform and standard library, so it never uses std::random_device or the
// <random> distributions (whose algorithms are unspecified). Rng is
// xoshiro256** seeded through splitmix64; every helper below is defined here
// in terms of Next() only.
#ifndef SBSCAN_TOOLS_GENERATOR_PRNG_H_
#define SBSCAN_TOOLS_GENERATOR_PRNG_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace sbscan::gen {

// splitmix64 step: advances `state` and returns the next output. Used to seed
// Rng and to derive independent sub-seeds.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// xoshiro256** generator. Not thread-safe; cheap to copy. Same seed, same
// sequence, everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& w : s_) w = SplitMix64(sm);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, n); n == 0 returns 0. Lemire's multiply-shift
  // with rejection, so it is exactly uniform and platform independent.
  uint64_t Below(uint64_t n) {
    if (n == 0) return 0;
    __uint128_t m = static_cast<__uint128_t>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(Next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform integer in [lo, hi] (inclusive); requires lo <= hi.
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform double in [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // True with probability p (p <= 0: never, p >= 1: always).
  bool Chance(double p) {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return Unit() < p;
  }

  // One element of a non-empty span, uniformly.
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

  // Derives an independent seed (for a sub-generator) without disturbing
  // the relation between this generator's seed and its later outputs more
  // than one Next() call.
  uint64_t Fork() { return Next() ^ 0xD1B54A32D192ED03ULL; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_PRNG_H_
