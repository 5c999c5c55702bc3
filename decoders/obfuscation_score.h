// A cheap, single-pass obfuscation score for one script block: character
// class ratios, entropy, density of obfuscation operators (backticks inside
// words, literal concatenation, -f format items, [char] casts), string
// literal share, longest token and special-character runs.
#ifndef SBSCAN_DECODERS_OBFUSCATION_SCORE_H_
#define SBSCAN_DECODERS_OBFUSCATION_SCORE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoders/simd_path.h"

namespace sbscan::decoders {

// Features of one text, computed by ComputeObfuscationFeatures (one pass;
// the entropy, when asked for, from a second pass over a byte histogram).
// Ratios are in [0, 1] of `length` unless said otherwise; densities are
// counts per 1,000 bytes.
struct ObfuscationFeatures {
  size_t length = 0;            // bytes
  double letter_ratio = 0;      // A-Z a-z
  double digit_ratio = 0;       // 0-9
  double space_ratio = 0;       // space, \t, \r, \n
  double special_ratio = 0;     // other ASCII punctuation
  double upper_ratio = 0;       // upper case among letters
  double case_flip_ratio = 0;   // lower->upper changes inside words, per
                                // letter pair (iNVoKe: high)
  double entropy = 0;           // Shannon entropy of the bytes, bits/byte
                                // (0 when computed with kWithoutEntropy)
  double backtick_density = 0;  // backticks between word characters
  double concat_density = 0;    // quote + quote: 'a'+'b'
  double format_density = 0;    // {N} format items and -f operators
  double char_cast_density = 0; // [char] casts
  double number_list_density = 0;  // numbers followed by ',' (char codes)
  double string_ratio = 0;      // bytes inside '...' or "..." literals
  size_t longest_token = 0;     // longest run of non-whitespace bytes
  size_t longest_special_run = 0;  // longest run of punctuation bytes
  size_t lines = 0;             // line count (1 + newlines)

  // Exact (bitwise) equality of every feature; the vector path and the
  // scalar reference must agree.
  bool operator==(const ObfuscationFeatures&) const = default;
};

// Whether a pass also computes `entropy`. Score does not use it (it is
// reported with an obfuscated block's alert), and its byte histogram is a
// quarter of the pass: the analyzer scores every block without it and
// computes ByteEntropy only for the blocks that reach the threshold.
enum class EntropyPass { kWithEntropy, kWithoutEntropy };

// Computes the features of `text` in one pass (plus ByteEntropy's for
// kWithEntropy), without allocation. Linear; thread-safe; `text` is only read
// during the call.
// Runs the vector pass of ActiveSimdPath() (AVX-512 or AVX2), else the
// scalar reference below; every path gives identical features.
ObfuscationFeatures ComputeObfuscationFeatures(
    std::string_view text, EntropyPass pass = EntropyPass::kWithEntropy);

// The scalar reference implementation (one byte at a time, class lookup
// table). Same result as ComputeObfuscationFeatures; for tests and
// benchmarks.
ObfuscationFeatures ComputeObfuscationFeaturesScalar(
    std::string_view text, EntropyPass pass = EntropyPass::kWithEntropy);

// ComputeObfuscationFeatures on `path`, for tests and benchmarks: kAvx512 and
// kAvx2 have vector passes; kSse2, kScalar and a path this CPU lacks take the
// scalar reference.
ObfuscationFeatures ComputeObfuscationFeaturesWith(
    SimdPath path, std::string_view text, EntropyPass pass = EntropyPass::kWithEntropy);

// Shannon entropy of the bytes of `text`, bits/byte (0 for an empty text):
// the same value as ComputeObfuscationFeatures(text).entropy.
double ByteEntropy(std::string_view text);

// Same as ComputeObfuscationFeatures; the short name of the brief.
inline ObfuscationFeatures Compute(std::string_view text) {
  return ComputeObfuscationFeatures(text);
}

// Maps features to an obfuscation score in [0, 1]: a weighted sum of
// saturating indicators (each in [0, 1]) -- random case, backticks inside
// words, literal concatenation, format items, [char] casts and number lists,
// few spaces with long tokens, long punctuation runs, few lines for a long
// block -- scaled down for texts under kObfuscationMinLength bytes (too short
// to judge). Thread-safe.
double Score(const ObfuscationFeatures& features);

// Score at or above which a block is called obfuscated. Calibrated on the
// shared corpus (Invoke-Obfuscation DeepBlueCLI samples vs every other
// corpus block) and on sbscan-gen benign text; see decoders/README.md for
// the measured detection and false-positive rates.
inline constexpr double kObfuscationThreshold = 0.5;

// Blocks shorter than this get a proportionally reduced score.
inline constexpr size_t kObfuscationMinLength = 64;

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_OBFUSCATION_SCORE_H_
