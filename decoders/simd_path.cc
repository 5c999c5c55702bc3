#include "decoders/simd_path.h"

#include <cstdlib>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

namespace sbscan::decoders {
namespace {

SimdPath CpuSimdPath() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  // LZCNT (AMD's ABM) from CPUID 0x80000001 ECX bit 5: not every compiler's
  // __builtin_cpu_supports knows it.
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool lzcnt = __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5));
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                    __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt") && lzcnt;
  if (!avx2) return SimdPath::kSse2;
  // (__builtin_cpu_supports reports AVX-512 only where the OS saves its state.)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
    return SimdPath::kAvx512;
  }
  return SimdPath::kAvx2;
#else
  return SimdPath::kScalar;
#endif
}

// The CPU's path, lowered to $SBSCAN_SIMD when that names a lower one.
SimdPath DetectSimdPath() {
  const SimdPath cpu = CpuSimdPath();
  const char* env = std::getenv("SBSCAN_SIMD");
  if (env == nullptr) return cpu;
  for (SimdPath p : kSimdPaths) {
    if (SimdPathName(p) == env && p < cpu) return p;
  }
  return cpu;
}

}  // namespace

SimdPath ActiveSimdPath() {
  static const SimdPath path = DetectSimdPath();
  return path;
}

bool SimdPathSupported(SimdPath path) {
  return path == SimdPath::kScalar || static_cast<uint8_t>(path) <= static_cast<uint8_t>(ActiveSimdPath());
}

std::string_view SimdPathName(SimdPath path) {
  switch (path) {
    case SimdPath::kScalar:
      return "scalar";
    case SimdPath::kSse2:
      return "sse2";
    case SimdPath::kAvx2:
      return "avx2";
    case SimdPath::kAvx512:
      return "avx512";
  }
  return "unknown";
}

}  // namespace sbscan::decoders
