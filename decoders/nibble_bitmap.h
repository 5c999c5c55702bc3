// Exact membership of a byte class by two table lookups per vector (pshufb):
// lo[c & 15] holds bit (c >> 4) for each member c, hi[h] = 1 << h. Members
// must be ASCII (< 0x80); bytes >= 0x80 are never members (hi[8..15] = 0).
#ifndef SBSCAN_DECODERS_NIBBLE_BITMAP_H_
#define SBSCAN_DECODERS_NIBBLE_BITMAP_H_

#include <array>
#include <cstdint>

#if defined(__x86_64__) || defined(_M_X64)
#define SBSCAN_NIBBLE_BITMAP_X86 1
#include <immintrin.h>
#endif

namespace sbscan::decoders {

struct NibbleBitmap {
  uint8_t lo[16];
  uint8_t hi[16];
};

constexpr NibbleBitmap MakeNibbleBitmap(const std::array<bool, 256>& member) {
  NibbleBitmap m{};
  for (unsigned c = 0; c < 0x80; ++c) {
    if (member[c]) m.lo[c & 15] |= static_cast<uint8_t>(1u << (c >> 4));
  }
  for (unsigned h = 0; h < 8; ++h) m.hi[h] = static_cast<uint8_t>(1u << h);
  return m;
}

#ifdef SBSCAN_NIBBLE_BITMAP_X86
// Bit k = p[k] is a member, for p[0, 32). Call only where the CPU has AVX2.
__attribute__((target("avx2"))) inline uint32_t MemberMask32(const char* p,
                                                             const NibbleBitmap& m) {
  const __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(m.lo)));
  const __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(m.hi)));
  const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i nib = _mm256_set1_epi8(0x0F);
  const __m256i bits =
      _mm256_and_si256(_mm256_shuffle_epi8(lo, _mm256_and_si256(x, nib)),
                       _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(x, 4), nib)));
  return ~static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(bits, _mm256_setzero_si256())));
}
#endif

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_NIBBLE_BITMAP_H_
