// Byte arrays written in script text -- hex strings, 0x lists, decimal
// lists in [byte[]] / @(...) -- and markers of executable payloads in bytes.
#ifndef SBSCAN_DECODERS_BYTE_ARRAY_H_
#define SBSCAN_DECODERS_BYTE_ARRAY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decoders/outcome.h"

namespace sbscan::decoders {

// How a byte array is written.
enum class ByteArrayFormat : uint8_t {
  kHexString,    // "4d5a90000300", "4d 5a 90", "4d-5a-90", "4d:5a:90"
  kHexList,      // 0x4d,0x5a,0x90 (any whitespace) or \x4d\x5a\x90
  kDecimalList,  // 77,90,144 after [byte[]] (within 80 characters) or @(
};

// Returns "hex_string", "hex_list" or "decimal_list" (static storage;
// "unknown" outside the enum). Thread-safe.
std::string_view ByteArrayFormatName(ByteArrayFormat format);

// One byte array in a text: [begin, end) covers the values only (no
// quotes, brackets or casts); `count` is the number of bytes it holds.
struct ByteArrayRegion {
  size_t begin;
  size_t end;
  ByteArrayFormat format;
  size_t count;
};

// Finds byte arrays of at least `min_bytes` (clamped to >= 4) bytes in
// `text`, in text order, appending at most `max_regions` to `*out`; returns
// how many were appended. Rules that keep ordinary code out:
//   - a hex string is one token (starts and ends at a non-word character),
//     is all hex pairs with either no separator or the same separator
//     (space, ':', '-', ',') between every pair, holds at least one a-f
//     letter, and without separators is not 32, 40, 64 or 128 digits long
//     (MD5/SHA-1/SHA-256/SHA-512 hashes); GUIDs fail the pairing rule;
//   - a hex list is 0xNN values (1-2 digits each) separated by commas and
//     whitespace, or \xNN escapes;
//   - a decimal list is values 0..255 separated by commas (whitespace
//     allowed), preceded by "@(" or with "byte[]" in the 80 characters
//     before it (so [char[]] lists are left to the char-code decoder).
// Linear; a text without such runs costs one pass over its tokens. No
// allocation beyond the output. Thread-safe.
// On AVX2 CPUs only the runs of bytes a region can hold (hex digits, x X \,
// , : - and whitespace) that are long enough for min_bytes values are
// token-scanned; the result equals FindByteArraysScalar's.
size_t FindByteArrays(std::string_view text, size_t min_bytes,
                      size_t max_regions, std::vector<ByteArrayRegion>* out);

// The reference: the token scan over the whole text. Thread-safe.
size_t FindByteArraysScalar(std::string_view text, size_t min_bytes,
                            size_t max_regions, std::vector<ByteArrayRegion>* out);

// Decodes the values of one region (text[region.begin, region.end) from
// FindByteArrays, or any text in `format`) and appends the bytes to
// `*out`, at most `max_out`. Returns kNotApplicable for empty input
// (nothing appended), kMalformed for a character that does not belong to
// the format, an odd number of hex digits or a decimal value > 255 (*out
// may hold a prefix), kLimitReached when more than `max_out` bytes would be
// produced (*out holds the first `max_out`), else kDecoded. The bytes are
// binary (the caller classifies them; a payload is rarely text).
// Thread-safe; `out` must not alias `region`.
Outcome DecodeByteArray(std::string_view region, ByteArrayFormat format,
                        size_t max_out, std::string* out);

// One marker of an executable or archive payload.
struct PayloadMarker {
  std::string_view name;  // static storage, see DetectPayloadMarkers
  size_t offset;          // where in the bytes
};

// Reports what `bytes` look like, appending markers to `*out` and returning
// how many were appended:
//   "pe"           MZ at 0 and "PE\0\0" at e_lfanew (the u32 at 0x3C)
//   "mz"           MZ at 0 with a plausible header but no PE signature
//                  found (truncated PE)
//   "dotnet"       a "pe" whose bytes hold the CLR metadata magic "BSJB"
//   "elf"          7F 'E' 'L' 'F' at 0
//   "gzip"         1F 8B 08 at 0;  "zip": "PK\3\4" at 0
//   "shellcode_x64_prologue"  FC 48 83 E4 F0 (cld; and rsp,-16) in the
//                             first 64 bytes (Metasploit/Cobalt Strike x64)
//   "shellcode_x86_prologue"  FC E8 82|89|8F 00 00 00 (cld; call) in the
//                             first 64 bytes (Metasploit x86 stagers)
//   "block_api_hash"          one of Metasploit block_api's ROR13 API
//                             hashes as an immediate (LoadLibraryA
//                             0x0726774C, VirtualAlloc 0xE553A458,
//                             WSAStartup, connect, InternetOpenA, ...), the
//                             first one found in the first 64 KiB
// Thread-safe; no allocation beyond the output.
size_t DetectPayloadMarkers(std::string_view bytes,
                            std::vector<PayloadMarker>* out);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_BYTE_ARRAY_H_
