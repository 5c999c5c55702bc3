// The vector instruction sets the decoders' byte passes (Base64 candidates,
// text triggers, obfuscation features) are written for, and which one this
// CPU runs. Every pass has a scalar reference with identical results; a pass
// asked for a path it has no code for takes the best lower one it has.
#ifndef SBSCAN_DECODERS_SIMD_PATH_H_
#define SBSCAN_DECODERS_SIMD_PATH_H_

#include <cstdint>
#include <string_view>

namespace sbscan::decoders {

enum class SimdPath : uint8_t {
  kScalar,  // one byte at a time: the reference
  kSse2,    // 16-byte vectors (x86-64 baseline; the trigger pass also needs SSSE3)
  kAvx2,    // 32-byte vectors: AVX2 with BMI1, BMI2, POPCNT and LZCNT
  kAvx512,  // 64-byte vectors into mask registers: the AVX2 set plus AVX-512F and AVX-512BW
};

// Every path, lowest first (for tests and benchmarks: skip the unsupported).
inline constexpr SimdPath kSimdPaths[] = {SimdPath::kScalar, SimdPath::kSse2, SimdPath::kAvx2,
                                          SimdPath::kAvx512};

// The best path this CPU (and OS: the AVX-512 state must be enabled) runs,
// detected once; the environment variable SBSCAN_SIMD (scalar, sse2, avx2,
// avx512) lowers it, to compare paths or to rule one out. The decoders'
// passes use it. Thread-safe.
SimdPath ActiveSimdPath();

// Whether `path` runs on this CPU: kScalar always, else path <= ActiveSimdPath().
bool SimdPathSupported(SimdPath path);

// "scalar", "sse2", "avx2", "avx512".
std::string_view SimdPathName(SimdPath path);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_SIMD_PATH_H_
