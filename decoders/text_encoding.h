// Classification of decoded bytes as text, and UTF-16LE to UTF-8 conversion.
#ifndef SBSCAN_DECODERS_TEXT_ENCODING_H_
#define SBSCAN_DECODERS_TEXT_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sbscan::decoders {

// How a decoded byte string is interpreted.
enum class TextEncoding : uint8_t { kUtf16le, kUtf8, kBinary };

// Returns "utf16le", "utf8" or "binary" (static storage; "unknown" for a
// value outside the enum). Thread-safe.
std::string_view TextEncodingName(TextEncoding encoding);

// Thresholds used by ClassifyBytes, in percent of the counted units.
// UTF-16LE: at least kUtf16MinPrintablePercent of the code units (after an
// optional FF FE byte order mark; a trailing odd byte is ignored) are
// printable -- ASCII 0x20-0x7E, \t, \r, \n, or any non-control code point
// >= U+00A0 other than U+FFFE/U+FFFF, a surrogate pair counting as two
// printable units -- AND at least kUtf16MinAsciiPercent of the units are
// printable ASCII (high byte zero). The second rule is what separates text
// from random bytes: almost every random 16-bit unit is a "printable" CJK or
// private-use code point, but fewer than 0.2% have a zero high byte.
inline constexpr int kUtf16MinPrintablePercent = 90;
inline constexpr int kUtf16MinAsciiPercent = 25;
// UTF-8: the bytes are valid UTF-8 (no overlong forms, no surrogates, at most
// U+10FFFF; one truncated sequence at the very end is tolerated, as produced
// by an output limit) and at least kUtf8MinPrintablePercent of the code
// points are printable (ASCII 0x20-0x7E, \t, \r, \n, or >= U+00A0 other than
// U+FFFE/U+FFFF).
inline constexpr int kUtf8MinPrintablePercent = 90;

// Classifies decoded bytes: kUtf16le when they pass the UTF-16LE rule above
// (checked first: ASCII text in UTF-16LE is also valid UTF-8), kUtf8 when
// they pass the UTF-8 rule, else kBinary. Empty input is kBinary. Linear
// time, no allocation. Thread-safe.
TextEncoding ClassifyBytes(std::string_view bytes);

// Appends the UTF-8 form of the UTF-16LE `bytes` to `*out` (existing contents
// are kept): a leading BOM (FF FE) is dropped, a valid surrogate pair becomes
// one 4-byte sequence, a lone surrogate becomes U+FFFD, an odd trailing byte
// is dropped. The output is at most 1.5x the input size. Never fails.
// Thread-safe; `out` must not alias `bytes`.
void Utf16leToUtf8(std::string_view bytes, std::string* out);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_TEXT_ENCODING_H_
