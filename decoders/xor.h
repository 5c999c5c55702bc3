// XOR: keys written in script text (-bxor), applying a repeating key, and
// recovering an unwritten single-byte or short repeating key by scoring the
// result as PowerShell.
#ifndef SBSCAN_DECODERS_XOR_H_
#define SBSCAN_DECODERS_XOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decoders/outcome.h"

namespace sbscan::decoders {

// How a key was written.
enum class XorKeySource : uint8_t {
  kLiteral,    // -bxor 0x5A, -bxor 90, -BXor"0x5d", -bxor ([byte]42)
  kVariable,   // -bxor $k with $k = 0x5a / [byte]42 / '0x5d' assigned in
               // the same text
  kByteArray,  // $k = [byte[]](1,2,3) / @(0x1,0x2) / 1,2,3, used as $k[..]
  kGetBytes,   // $k = [Text.Encoding]::ASCII.GetBytes('key') or a string
               // literal $k = 'key', used as $k[$i % $k.Length]
};

// Returns "literal", "variable", "byte_array" or "get_bytes" (static
// storage; "unknown" outside the enum). Thread-safe.
std::string_view XorKeySourceName(XorKeySource source);

// One key found by FindXorKeys. Offsets are byte offsets into the text.
struct XorKeyHit {
  std::string key;          // key bytes, 1..kMaxXorKeyBytes; repeating
  size_t bxor_offset;       // where "-bxor" is written
  size_t key_begin;         // the key's literal: the number itself, or the
  size_t key_end;           // assigned value for a variable
  XorKeySource source;
};

// Longest key FindXorKeys returns (longer arrays are not keys but data).
inline constexpr size_t kMaxXorKeyBytes = 256;

// Finds every "-bxor" operator (ASCII case-insensitive) in `text` whose
// operand on either side is a key: a numeric literal 0..255 (decimal or 0x
// hex, optionally quoted, parenthesised or cast with [byte]/[int]/[char]),
// or a variable assigned such a literal, a byte list, a GetBytes('...')
// call or a string literal elsewhere in `text` (the closest assignment
// before the operator, else the first after it). `$_` and indexed data
// operands such as $data[$i] are skipped; `$key[$i % $key.Length]` resolves
// $key. Appends at most `max_keys` hits to `*out` in text order (one per
// operator) and returns how many were appended. A text without "bxor" costs
// one fast substring scan. Linear in the text size per operator; no
// allocation beyond the output. Thread-safe.
size_t FindXorKeys(std::string_view text, size_t max_keys,
                   std::vector<XorKeyHit>* out);

// Appends bytes[i] ^ key[i % key.size()] to `*out` for the first
// min(bytes.size(), max_out) bytes. Returns kNotApplicable (nothing
// appended) for an empty key or empty input, kLimitReached when bytes is
// longer than max_out, else kDecoded. Thread-safe; `out` must not alias.
Outcome ApplyXor(std::string_view bytes, std::string_view key, size_t max_out,
                 std::string* out);

// Bounds of RecoverXorKey.
struct XorRecoveryOptions {
  size_t max_key_length = 8;  // repeating keys of 2..max_key_length (<= 16)
  size_t min_bytes = 24;      // shorter inputs are not tried
  size_t sample_bytes = 4096; // only this prefix is analysed and scored
  // A key is returned only when the decoded sample scores at least this
  // (PowerShellScore; NUL bytes are ignored so UTF-16LE text counts too).
  double min_score = 0.5;
};

// The recovered key and the PowerShellScore of the decoded sample.
struct XorRecovery {
  std::string key;
  double score = 0;
};

// Looks for the XOR key that turns `bytes` into PowerShell text (UTF-8 or
// UTF-16LE): every single-byte key 1..255 whose result is >= 85% text bytes
// (decided from one byte histogram, then scored), then repeating keys of
// length 2..max_key_length (at most sample/16 long), each key byte chosen by
// letter/space frequency in its column (a column of one repeated byte is
// also tried as the NUL high bytes of UTF-16LE), periodic keys skipped.
// Returns true and fills `*result` with the best-scoring key when its score
// is >= options.min_score and the input itself scores below it (clear text
// has no key); false otherwise (`*result` untouched). On 1000 random buffers
// of 24..4096 bytes no key is returned (see xor_test.cc). Cost: one pass
// over the sample per key length plus a full score of a few candidates.
// Thread-safe.
bool RecoverXorKey(std::string_view bytes, const XorRecoveryOptions& options,
                   XorRecovery* result);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_XOR_H_
