// One pass over a text layer that yields the Base64 candidates and a flag per
// byte-level decoder whose cheap candidate check passed, so that a block
// without payloads is read once, not once per decoder.
#ifndef SBSCAN_DECODERS_TEXT_TRIGGERS_H_
#define SBSCAN_DECODERS_TEXT_TRIGGERS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "decoders/base64_candidates.h"

namespace sbscan::decoders {

// Flags of ScanText. Each is a necessary condition for its decoder to find
// anything (no false negatives; false positives allowed).
enum TextTrigger : uint32_t {
  kTriggerCharCodes = 1u << 0,     // "[char" (ASCII case-insensitive)
  kTriggerNormalize = 1u << 1,     // MayNeedNormalization(text) is true
  kTriggerByteArray = 1u << 2,     // "0x"/"\x" + hex digit, "@(", "e[]",
                                   // or a run of >= 2 * kByteArrayMinBytes
                                   // bytes of [0-9A-Fa-f :,-]
  kTriggerXorKey = 1u << 3,        // "bxor" (case-insensitive)
  kTriggerSecureString = 1u << 4,  // "76492d1116743f04" / "01000000d08c9ddf"
  kTriggerCms = 1u << 5,           // "-----BEGIN CMS"
  kTriggerRotationLoop = 1u << 6,  // the number 26 on its own, as in a rotation
                                   // loop's % 26 (not in 2026, 0x26, 1.26, 260)
};

// Smallest byte array the driver decodes (FindByteArrays min_bytes).
inline constexpr size_t kByteArrayMinBytes = 16;

// Scalar reference of the flags: straightforward substring searches and
// MayNeedNormalization. Thread-safe.
uint32_t TextTriggersScalar(std::string_view text);

// TextTriggersScalar(text) by one fused vector pass (AVX-512, AVX2 or SSE2, as
// SimdPath says): every trigger word is found by a prefix of at most three
// bytes and confirmed in place, the hex-ish run is tracked across chunks, and
// the pass stops once every flag is set. kScalar (or an unsupported path) is
// the reference. Equal to TextTriggersScalar exactly (see
// tests/decoders/text_triggers_test.cc). Thread-safe.
uint32_t TextTriggersWith(SimdPath path, std::string_view text);

// FindBase64Candidates(text, min_run, max_candidates, out) plus
// `*triggers` = TextTriggersScalar(text): two vector passes (the Base64 one
// and TextTriggersWith) on the CPU's path. Thread-safe.
void ScanText(std::string_view text, size_t min_run, size_t max_candidates,
              std::vector<Candidate>* out, uint32_t* triggers);

// ScanText on a given path (kScalar = the two references), for tests and
// benchmarks; an unsupported path falls back to kScalar.
void ScanTextWith(SimdPath path, std::string_view text,
                  size_t min_run, size_t max_candidates,
                  std::vector<Candidate>* out, uint32_t* triggers);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_TEXT_TRIGGERS_H_
