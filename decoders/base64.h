// Base64 decoding (RFC 4648 standard and URL-safe alphabets).
#ifndef SBSCAN_DECODERS_BASE64_H_
#define SBSCAN_DECODERS_BASE64_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "decoders/outcome.h"

namespace sbscan::decoders {

// Decodes standard ('+', '/') or URL-safe ('-', '_') Base64; both alphabets
// may be mixed in one input. ASCII whitespace (space, \t, \r, \n) is skipped
// anywhere. Padding is optional; when present it is one or two '=' at the end
// (whitespace may follow). Non-zero trailing bits are ignored, as .NET's
// Convert.FromBase64String does not check them either.
//
// Appends at most `max_out` bytes to `*out` (existing contents are kept).
// Returns kNotApplicable for an input that is empty or only whitespace
// (nothing appended); kMalformed for any other character, a '=' followed by
// data, more than two '=', or an impossible length (one leftover character
// in the last quantum) -- *out may then hold a partial prefix; kLimitReached
// when the full output would exceed `max_out` (*out holds exactly the first
// `max_out` decoded bytes; the rest of the input is not validated);
// kDecoded otherwise. Thread-safe; `out` must not alias `in`.
Outcome DecodeBase64(std::string_view in, size_t max_out, std::string* out);

// Upper bound of the bytes DecodeBase64 can produce from `in_size` input
// characters. Thread-safe.
constexpr size_t MaxDecodedBase64Size(size_t in_size) {
  return in_size / 4 * 3 + 2;
}

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_BASE64_H_
