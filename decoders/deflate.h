// DEFLATE family decompression (raw deflate, zlib, gzip) with a hard output
// limit, for payloads such as
//   New-Object IO.Compression.DeflateStream([IO.MemoryStream][Convert]::
//       FromBase64String('...'), [IO.Compression.CompressionMode]::Decompress)
// (raw deflate) and GzipStream (gzip).
#ifndef SBSCAN_DECODERS_DEFLATE_H_
#define SBSCAN_DECODERS_DEFLATE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "decoders/outcome.h"

namespace sbscan::decoders {

// Each Inflate function below decompresses one stream from `in` and appends
// the output to `*out` (existing contents are kept), streaming in 32 KiB
// steps: it never appends more than `max_out` bytes and never grows `*out`'s
// capacity beyond its old size + `max_out`, so a decompression bomb costs
// at most `max_out` bytes and the time to produce them. Returns
//   kNotApplicable  `in` is empty (nothing appended);
//   kDecoded        the stream ended (bytes after its end are ignored);
//   kLimitReached   more output exists: *out holds exactly the first
//                   `max_out` bytes (the rest of `in` is not validated);
//   kMalformed      corrupt data, a bad header or checksum, or `in` ended
//                   before the stream did (truncated). *out keeps the prefix
//                   decoded before the problem; for a truncated stream this
//                   prefix is genuine output, which a caller may still scan.
// Thread-safe; `out` must not alias `in`.

// Raw DEFLATE (RFC 1951) as written by .NET's DeflateStream.
Outcome InflateRaw(std::string_view in, size_t max_out, std::string* out);

// gzip (RFC 1952) as written by .NET's GZipStream; one member (bytes after
// the first member are ignored). The CRC-32 and size are checked.
Outcome Gunzip(std::string_view in, size_t max_out, std::string* out);

// zlib (RFC 1950): 2-byte header, deflate data, Adler-32 (checked).
Outcome InflateZlib(std::string_view in, size_t max_out, std::string* out);

// True when `bytes` start with a gzip header (1F 8B 08).
bool LooksLikeGzip(std::string_view bytes);

// True when `bytes` start with a valid zlib header: CM = 8, CINFO <= 7, no
// preset dictionary, header checksum divisible by 31 (78 01 / 5E / 9C / DA
// and the other window sizes).
bool LooksLikeZlib(std::string_view bytes);

// Picks the format from the first bytes and decompresses: gzip when
// LooksLikeGzip, zlib when LooksLikeZlib, otherwise raw deflate when the
// first block type is valid (not the reserved type 3); a raw stream that
// ends with more than 8 input bytes left over is kMalformed (nothing kept:
// random bytes, not a DeflateStream payload). `*format` (when not
// null) is set to "gzip", "zlib" or "deflate" (static storage) for the
// format tried, or "" when none applies. Returns kNotApplicable (nothing
// appended) when `bytes` is shorter than 2 bytes or no format applies;
// otherwise as the functions above. Raw deflate has no header, so random
// bytes are tried: they almost always end in kMalformed within a few bytes,
// and a caller should treat a raw-deflate result as a payload only if it is
// kDecoded or kLimitReached and the output classifies as text or a known
// binary format. Thread-safe.
Outcome DecompressAuto(std::string_view bytes, size_t max_out,
                       std::string* out, std::string_view* format);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_DEFLATE_H_
