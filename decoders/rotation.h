// Letter rotations (ROT13 and the other Caesar shifts) of script text,
// detected by the PowerShell vocabulary they reveal.
#ifndef SBSCAN_DECODERS_ROTATION_H_
#define SBSCAN_DECODERS_ROTATION_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace sbscan::decoders {

// Appends `text` with every ASCII letter rotated forward by `n` places
// (a..z and A..Z separately, case kept; n taken mod 26, negative allowed;
// ROT13 is n = 13 and is its own inverse) to `*out`. Other bytes are copied
// unchanged, so UTF-8 and UTF-16LE text both rotate correctly. Thread-safe;
// `out` must not alias `text`.
void RotateLetters(std::string_view text, int n, std::string* out);

// What DetectRotation found.
struct RotationResult {
  int n = 0;                    // rotation that decodes the text, 1..25
  double votes = 0;             // vocabulary weight seen under rotation n
  double original_votes = 0;    // ... and without rotation
  double score = 0;             // PowerShellScore of the rotated sample
};

// Bounds of DetectRotation.
struct RotationOptions {
  size_t max_scan_bytes = 1 << 20;  // only this prefix is examined
  size_t sample_bytes = 16 << 10;   // prefix rotated and scored to confirm
  double min_votes = 6;             // e.g. two Verb-Noun cmdlets
  double min_score = 0.5;           // PowerShellScore of the rotated sample
};

// Returns the rotation n in 1..25 under which `text` reads clearly as
// PowerShell, or 0. One pass over the words of `text` counts, for all 26
// rotations at once, the vocabulary hits each would produce (Verb-Noun
// cmdlets, keywords, -operators, [types]; words of >= 3 letters, matched by
// their rotation-invariant letter differences). The best n must have
// >= min_votes, more than twice the unrotated text's votes plus 2, and
// RotateLetters(sample, n) must score >= min_score and above the sample
// itself (punctuation, $variables and -parameters survive a rotation, so an
// unrotated sample can score too; the vote ratio is what tells them apart).
// Early exit: when the first 4 KiB already hold >= 16 unrotated votes and no
// rotation beats them, the text is clear PowerShell and 0 is returned
// without reading further -- call it on a string literal or a decoded
// layer, not on a clear script that merely contains a rotated literal. Fills `*result` when not null and n != 0. English prose,
// Base64 and identifiers are not detected (see rotation_test.cc). Linear,
// no allocation unless a rotation is confirmed. Thread-safe.
int DetectRotation(std::string_view text, const RotationOptions& options,
                   RotationResult* result);

// DetectRotation with default options.
int DetectRotation(std::string_view text, RotationResult* result = nullptr);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_ROTATION_H_
