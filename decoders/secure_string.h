// SecureString payloads: ConvertTo-SecureString '<blob>' -Key (...) as
// written by Invoke-Obfuscation's SECURESTRING encoding and by scripts that
// store credentials with a literal key.
#ifndef SBSCAN_DECODERS_SECURE_STRING_H_
#define SBSCAN_DECODERS_SECURE_STRING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decoders/outcome.h"

namespace sbscan::decoders {

// The header ConvertFrom-SecureString -Key writes before the Base64 of
// UTF-16LE "2|<IV Base64>|<ciphertext hex>" (AES-CBC, PKCS#7).
inline constexpr std::string_view kSecureStringKeyHeader =
    "76492d1116743f0423413b16050a5345";
// The start of the hex DPAPI blob ConvertFrom-SecureString writes without
// -Key (machine/user bound, not decryptable offline).
inline constexpr std::string_view kSecureStringDpapiHeader =
    "01000000d08c9ddf0115d1118c7a00c04fc297eb";

// Kind of a SecureString blob.
enum class SecureStringKind : uint8_t {
  kAesKey,  // 76492d... header: AES with a caller key (-Key / -SecureKey)
  kDpapi,   // 01000000d08c9ddf...: Windows DPAPI, not decryptable here
};

// One blob found in script text. Offsets are byte offsets into the text.
struct SecureStringCandidate {
  size_t begin;  // the blob, header included, without quotes
  size_t end;
  SecureStringKind kind;
  // The key, when written in the text: "-Key" (any abbreviation of -Key
  // down to -k) followed by a literal byte list, or by $var assigned a
  // literal byte list / [byte[]] array / GetBytes('...') elsewhere in the
  // text. Empty when no key was found (or for kDpapi).
  std::string key;
  size_t key_begin = 0;  // where the key's values are written (0,0 if none)
  size_t key_end = 0;
};

// Finds SecureString blobs (kSecureStringKeyHeader or
// kSecureStringDpapiHeader, in lower case as PowerShell writes them,
// followed by >= 16 Base64/hex characters) and, for kAesKey, the -Key written in the
// same statement (up to 1024 bytes before or after the blob, closest
// first). Appends at most `max_blobs` candidates to `*out` in text order and
// returns how many. A text without either header costs one substring
// search per header. Thread-safe.
size_t FindSecureStrings(std::string_view text, size_t max_blobs,
                         std::vector<SecureStringCandidate>* out);

// Decrypts a kAesKey blob (`blob` = header + Base64, as located by
// FindSecureStrings) with `key` (16, 24 or 32 bytes: AES-128/192/256 in CBC
// mode with the blob's IV, PKCS#7 padding) and appends the plaintext,
// converted from UTF-16LE to UTF-8, to `*out` -- at most `max_out` bytes of
// UTF-16LE are converted. Returns kNotApplicable (nothing appended) when
// `blob` does not start with kSecureStringKeyHeader (e.g. DPAPI) or the key
// is empty; kMalformed for a bad Base64/field layout, a key of another
// length, or a padding check that fails (wrong key); kLimitReached when the
// plaintext is longer than `max_out` bytes (the UTF-8 of its first
// `max_out` bytes is appended); kDecoded otherwise. Uses OpenSSL's libcrypto
// EVP interface. Thread-safe.
Outcome DecryptSecureString(std::string_view blob, std::string_view key,
                            size_t max_out, std::string* out);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_SECURE_STRING_H_
