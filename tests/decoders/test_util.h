// Small helpers shared by the decoders tests (test-only, header-only).
#ifndef SBSCAN_TESTS_DECODERS_TEST_UTIL_H_
#define SBSCAN_TESTS_DECODERS_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sbscan::decoders::testing {

// Base64-encodes `data`; `url` selects the -_ alphabet; `pad` adds '='.
inline std::string Base64Encode(std::string_view data, bool url = false,
                                bool pad = true) {
  const char* alphabet =
      url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  const auto b = [&](size_t k) { return static_cast<uint8_t>(data[k]); };
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (data.size() - i == 1) {
    const uint32_t v = b(i) << 16;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (data.size() - i == 2) {
    const uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += "=";
  }
  return out;
}

// UTF-16LE form of ASCII text, as powershell -EncodedCommand expects.
inline std::string Utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

// The Base64 of the UTF-16LE form of `script`: what powershell -enc takes.
inline std::string EncodeCommand(std::string_view script) {
  return Base64Encode(Utf16le(script));
}

// Inserts `sep` every `width` characters (line-wrapped Base64).
inline std::string Wrap(std::string_view s, size_t width,
                        std::string_view sep = "\r\n") {
  std::string out;
  for (size_t i = 0; i < s.size(); i += width) {
    if (i != 0) out += sep;
    out += s.substr(i, width);
  }
  return out;
}

}  // namespace sbscan::decoders::testing

#endif  // SBSCAN_TESTS_DECODERS_TEST_UTIL_H_
