// Splits a script block into 4104 fragments exactly as PowerShell does
// (CompiledScriptBlock.cs, LogScriptBlockCreation):
//   - text shorter than 20,000 UTF-16 code units: one fragment (1 of 1);
//   - otherwise one random piece size s = 10,000 + rand(0..9,999) units,
//     count = floor(length / s) + 1, piece k = units [k*s, min((k+1)*s, len)),
//     so the last piece is empty when length is an exact multiple of s.
// Cuts are counted in UTF-16 code units, not bytes. The generator only emits
// BMP characters, so a cut never splits a UTF-8 sequence.
#ifndef SBSCAN_TOOLS_GENERATOR_FRAGMENTER_H_
#define SBSCAN_TOOLS_GENERATOR_FRAGMENTER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "tools/generator/prng.h"

namespace sbscan::gen {

inline constexpr size_t kSingleFragmentLimit = 20000;  // UTF-16 code units
inline constexpr size_t kMinPieceUnits = 10000;
inline constexpr size_t kPieceUnitsSpread = 10000;  // rand(0..9,999)

// Draws PowerShell's random piece size: 10,000 + rand(0..9,999).
inline size_t ChoosePieceUnits(Rng& rng) {
  return kMinPieceUnits + static_cast<size_t>(rng.Below(kPieceUnitsSpread));
}

// Number of fragments for a text of `utf16_len` units cut in `piece_units`.
inline size_t FragmentCount(size_t utf16_len, size_t piece_units) {
  return utf16_len < kSingleFragmentLimit ? 1 : utf16_len / piece_units + 1;
}

// Cuts `text` (valid UTF-8, BMP only) whose UTF-16 length is `utf16_len`
// into fragments of `piece_units` code units. The returned views borrow
// `text` and are valid as long as it is.
std::vector<std::string_view> FragmentText(std::string_view text,
                                           size_t utf16_len,
                                           size_t piece_units);

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_FRAGMENTER_H_
