// Fast search of Base64 payloads in PowerShell script text.
#ifndef SBSCAN_DECODERS_BASE64_CANDIDATES_H_
#define SBSCAN_DECODERS_BASE64_CANDIDATES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "decoders/simd_path.h"

namespace sbscan::decoders {

// Why a region of text was taken as a Base64 payload.
enum class CandidateKind : uint8_t {
  kEncodedCommand,    // argument of powershell -EncodedCommand (any abbreviation)
  kFromBase64String,  // string literal passed to FromBase64String(...)
  kBase64Run,         // any other long run of Base64 alphabet characters
};

// Returns "encoded_command", "from_base64_string" or "base64_run" (static
// storage; "unknown" for a value outside the enum). Thread-safe.
std::string_view CandidateKindName(CandidateKind kind);

// One payload found in a text: [begin, end) are byte offsets of the payload
// only (no switch, no quotes, no parentheses), relative to the searched text.
struct Candidate {
  size_t begin;
  size_t end;
  CandidateKind kind;

  friend bool operator==(const Candidate&, const Candidate&) = default;
};

// The shortest kBase64Run length accepted; smaller min_run values are raised
// to this.
inline constexpr size_t kMinBase64RunFloor = 4;

// Finds Base64 payloads in `text` (UTF-8 script text) and appends them to
// `*out` in text order (by `begin`), at most `max_candidates` of them;
// existing elements of `*out` are kept. Reported regions never overlap.
//
//  * kEncodedCommand: the argument after a PowerShell -EncodedCommand switch
//    in any abbreviation powershell.exe accepts (every prefix of
//    "encodedcommand" from "e" on, and "ec"), case-insensitive, introduced
//    by '-', '/', or the Unicode dashes U+2013, U+2014, U+2015 (UTF-8), not
//    preceded by a letter, digit or '_'. The switch is followed by at least
//    one separator among space, \t, \r, \n, ':', ',', quotes ' " `, and '\'
//    (at most 16), then the payload: a run of Base64 characters (+ / - _
//    and alphanumerics) plus up to two '='.
//  * kFromBase64String: the string literal argument of FromBase64String,
//    case-insensitive: "FromBase64String", optional whitespace, '(',
//    optional whitespace (lines may break), optional '@' (here-string), a
//    quote (' " or a Unicode single/double quote U+2018-U+201E), then the
//    payload: Base64 characters, '=' and whitespace up to the first other
//    character (normally the closing quote); begin/end are trimmed to the
//    first and last non-whitespace payload character. A concatenated
//    literal ('abc'+'def') yields its first piece; the rest is found as
//    runs if long enough.
//  * kBase64Run: any other maximal run of Base64 alphabet characters
//    (A-Z a-z 0-9 + / - _) of length >= max(min_run, kMinBase64RunFloor),
//    extended by up to two following '=', that overlaps no payload above.
//    A run that is a whole line (only blanks before it since a line break,
//    a quote or the start) of a multiple-of-4 width w, unpadded, takes the
//    following lines of width w and a last complete line (padded or a
//    multiple of 4, at most w): a here-string or multi-line literal then is
//    one candidate spanning its line breaks (the decoder skips them).
//
// Every kEncodedCommand / kFromBase64String match is reported even if the
// payload is short; false positives are expected and left to the decoder.
// The first `max_candidates` (in text order) of the full result are kept:
// the output does not depend on how the search is implemented.
//
// Uses AVX-512, AVX2 or SSE2 as ActiveSimdPath() says; on
// benign script text it runs at several GB/s per core and never allocates
// beyond growing `*out`. Thread-safe (no shared mutable state); `text` is
// only read during the call.
void FindBase64Candidates(std::string_view text, size_t min_run,
                          size_t max_candidates, std::vector<Candidate>* out);

// Plain scalar reference implementation of FindBase64Candidates, with
// identical results; for differential tests and portability. Same contract.
void FindBase64CandidatesScalar(std::string_view text, size_t min_run,
                                size_t max_candidates,
                                std::vector<Candidate>* out);

// FindBase64Candidates forced onto `path` (for tests and benchmarks); falls
// back to kScalar when `path` is not supported. Same contract as
// FindBase64Candidates.
void FindBase64CandidatesWith(SimdPath path, std::string_view text,
                              size_t min_run, size_t max_candidates,
                              std::vector<Candidate>* out);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_BASE64_CANDIDATES_H_
