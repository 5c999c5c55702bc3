// Character codes written as numbers: [char]72+[char]101..., [char[]](72,101,
// ...) -join '', delimited digit strings split at run time ('72~101' -split
// '~' | %{[char][int]$_}), in decimal, hex, octal or binary, optionally
// XORed with a literal -bxor key. Invoke-Obfuscation's ENCODING family.
#ifndef SBSCAN_DECODERS_CHAR_CODES_H_
#define SBSCAN_DECODERS_CHAR_CODES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decoders/outcome.h"

namespace sbscan::decoders {

// How a run of character codes is written.
enum class CharCodeForm : uint8_t {
  kCharCast,   // [char]72 + [char]101 ... (also [char]0x48, [char](72),
               // [char]([Convert]::ToInt16('1001000',2)))
  kList,       // a list of >= kMinCharCodeListItems numbers: (72,101,...),
               // @(...), [char[]](...), quoted items ('4e',65,...)
  kDelimited,  // one string literal of digits and delimiters, split at run
               // time: '72~101~108' -split '~', '1001001}...'.Split('}')
};

// Returns "char_cast", "list" or "delimited" (static storage; "unknown"
// otherwise). Thread-safe.
std::string_view CharCodeFormName(CharCodeForm form);

// The fewest codes a run must hold to be decoded: kCharCast runs need
// kMinCharCodeCastItems casts, lists and delimited strings
// kMinCharCodeListItems numbers (shorter ones are ordinary code: [char]39,
// (1,2,3)).
inline constexpr size_t kMinCharCodeCastItems = 4;
inline constexpr size_t kMinCharCodeListItems = 8;

// One decoded run. [begin, end) are byte offsets of the codes in the
// searched text (from the first [char] or number to the last number, or the
// delimited string literal without its quotes); [out_begin, out_end) is
// where its UTF-8 text lies in the output string of DecodeCharCodes.
struct CharCodeRun {
  size_t begin, end;
  size_t out_begin, out_end;
  CharCodeForm form;
  uint8_t base;     // 2, 8, 10 or 16 (0x-prefixed items are hex regardless)
  int xor_key;      // literal -bxor key applied to every code, or -1
};

// Cheap candidate check: false when `text` cannot hold a run that
// DecodeCharCodes decodes (every form needs a "[char" cast somewhere --
// the [char] casts themselves, [char[]], or the "%{[char]...}" / "-as
// [char]" that turns numbers into text); true otherwise (false positives
// expected). Case-insensitive, linear, no allocation. Thread-safe.
bool MayContainCharCodes(std::string_view text);

// Finds and decodes the runs of character codes in `text`, in text order:
// appends their UTF-8 text to `*out` (existing contents are kept) and one
// CharCodeRun per run to `*runs`, at most `max_runs` runs and `max_out`
// output bytes. The base of a list or delimited string comes from the code
// that consumes it within kCharCodeContextBytes after it
// ([Convert]::ToInt16($_,16) / ToInt32(...,8) / (...,2)); decimal when none
// (a list with hex letters and no such context is not decoded). A literal
// "-bxor 0x5d" / -bxor "93" there is applied to every code. A run is kept
// only when every code is a valid code point and at least 90% of them are
// printable (ASCII 0x20-0x7E, \t, \r, \n, or >= U+00A0); others are
// skipped silently (ordinary number lists).
//
// Returns kNotApplicable when no run was decoded, kDecoded when some were,
// kLimitReached when `max_runs` or `max_out` stopped the search (the runs
// found before are complete). Linear in `text`. Thread-safe; `out` must not
// alias `text`.
inline constexpr size_t kCharCodeContextBytes = 400;
Outcome DecodeCharCodes(std::string_view text, size_t max_runs,
                        size_t max_out, std::vector<CharCodeRun>* runs,
                        std::string* out);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_CHAR_CODES_H_
