// HasOnesRun against a bit-by-bit count of the longest run, for every k, on
// masks made of random runs (and on the edges: all ones, single bits, runs
// ending at bit 63 or starting at bit 0).
#include "decoders/bit_runs.h"

#include <cstdint>
#include <random>

#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

size_t LongestRunNaive(uint64_t m) {
  size_t best = 0, run = 0;
  for (int b = 0; b < 64; ++b) {
    run = (m >> b) & 1 ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

void ExpectAllK(uint64_t m) {
  const size_t longest = LongestRunNaive(m);
  for (size_t k = 1; k <= 64; ++k) {
    ASSERT_EQ(HasOnesRun(m, k), longest >= k) << std::hex << m << std::dec << " k " << k;
  }
}

TEST(BitRunsTest, HasOnesRunMatchesNaiveCount) {
  for (uint64_t m : {uint64_t{0}, ~uint64_t{0}, uint64_t{1}, uint64_t{1} << 63,
                     uint64_t{0xFFFFFFFF00000000u}, uint64_t{0x00000000FFFFFFFFu},
                     uint64_t{0x7FFFFFFF00000000u}, uint64_t{0xFFFFFFFE00000000u},
                     uint64_t{0x00000001FFFFFFFEu}, uint64_t{0x0000000180000000u}}) {
    ExpectAllK(m);
  }
  std::mt19937_64 rng(11);
  for (int round = 0; round < 20000; ++round) {
    uint64_t m = 0;
    for (int b = 0; b < 64;) {  // alternating runs of random lengths
      const int len = 1 + static_cast<int>(rng() % (round % 3 == 0 ? 48 : 12));
      if (rng() % 2) {
        for (int k = b; k < b + len && k < 64; ++k) m |= uint64_t{1} << k;
      }
      b += len;
    }
    ExpectAllK(m);
  }
}

}  // namespace
}  // namespace sbscan::decoders
