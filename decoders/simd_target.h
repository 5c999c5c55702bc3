// Regions of code compiled for one instruction set, for the vector passes' per-ISA copies of a
// shared .inc body (text_triggers_chunk.inc, obfuscation_score_vector.inc):
//
//   SBSCAN_TARGET_BEGIN("avx2,bmi,bmi2")
//   namespace avx2 { ... #include "decoders/the_pass.inc" ... }
//   SBSCAN_TARGET_END
//
// Every function defined in between compiles for that target (and must run only where the CPU
// has it: see simd_path.h); the code around it, std's inline functions included, keeps the
// baseline target. Regions do not nest.
#ifndef SBSCAN_DECODERS_SIMD_TARGET_H_
#define SBSCAN_DECODERS_SIMD_TARGET_H_

#define SBSCAN_PRAGMA(x) _Pragma(#x)

#if defined(__clang__)
#define SBSCAN_TARGET_BEGIN(isa) \
  SBSCAN_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define SBSCAN_TARGET_END SBSCAN_PRAGMA(clang attribute pop)
#else
#define SBSCAN_TARGET_BEGIN(isa) SBSCAN_PRAGMA(GCC push_options) SBSCAN_PRAGMA(GCC target(isa))
#define SBSCAN_TARGET_END SBSCAN_PRAGMA(GCC pop_options)
#endif

#endif  // SBSCAN_DECODERS_SIMD_TARGET_H_
