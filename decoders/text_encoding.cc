#include "decoders/text_encoding.h"


#include <cstdint>

#include "decoders/utf8.h"

namespace sbscan::decoders {
namespace {

inline bool IsAsciiPrintable(uint32_t c) {
  return (c >= 0x20 && c <= 0x7E) || c == '\t' || c == '\r' || c == '\n';
}

// A code point >= 0x80 that reads as text.
inline bool IsWidePrintable(uint32_t c) {
  return c >= 0xA0 && c != 0xFFFE && c != 0xFFFF;
}

bool LooksLikeUtf16le(const uint8_t* p, size_t size) {
  size_t units = size / 2;
  size_t i = 0;
  if (units >= 1 && p[0] == 0xFF && p[1] == 0xFE) {
    i = 2;
    --units;
  }
  if (units == 0) return false;
  size_t printable = 0;
  size_t ascii = 0;
  const size_t end = i + units * 2;
  while (i < end) {
    const uint32_t u = uint32_t(p[i]) | (uint32_t(p[i + 1]) << 8);
    i += 2;
    if (u < 0x80) {
      if (IsAsciiPrintable(u)) {
        ++printable;
        ++ascii;
      }
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      if (u <= 0xDBFF && i < end) {
        const uint32_t lo = uint32_t(p[i]) | (uint32_t(p[i + 1]) << 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          i += 2;
          printable += 2;
        }
      }
    } else if (IsWidePrintable(u)) {
      ++printable;
    }
  }
  return printable * 100 >= units * kUtf16MinPrintablePercent &&
         ascii * 100 >= units * kUtf16MinAsciiPercent;
}

bool LooksLikeUtf8(const uint8_t* p, size_t size) {
  size_t chars = 0;
  size_t printable = 0;
  size_t i = 0;
  while (i < size) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      ++chars;
      if (IsAsciiPrintable(b)) ++printable;
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    uint32_t min;
    if ((b & 0xE0) == 0xC0) {
      len = 2, cp = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, cp = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + len > size) {
      // Truncated last sequence: tolerated if what is there is well formed.
      for (size_t k = i + 1; k < size; ++k) {
        if ((p[k] & 0xC0) != 0x80) return false;
      }
      break;
    }
    for (int k = 1; k < len; ++k) {
      const uint8_t c = p[i + k];
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    ++chars;
    if (IsWidePrintable(cp)) ++printable;
    i += len;
  }
  if (chars == 0) return false;
  return printable * 100 >= chars * kUtf8MinPrintablePercent;
}

}  // namespace

std::string_view TextEncodingName(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf16le:
      return "utf16le";
    case TextEncoding::kUtf8:
      return "utf8";
    case TextEncoding::kBinary:
      return "binary";
  }
  return "unknown";
}

TextEncoding ClassifyBytes(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (LooksLikeUtf16le(p, bytes.size())) return TextEncoding::kUtf16le;
  if (LooksLikeUtf8(p, bytes.size())) return TextEncoding::kUtf8;
  return TextEncoding::kBinary;
}

void Utf16leToUtf8(std::string_view bytes, std::string* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t end = bytes.size() & ~size_t{1};
  size_t i = 0;
  if (end >= 2 && p[0] == 0xFF && p[1] == 0xFE) i = 2;
  out->reserve(out->size() + (end - i) / 2 * 3);
  while (i < end) {
    // Fast path: ASCII unit.
    if (p[i + 1] == 0 && p[i] < 0x80) {
      out->push_back(static_cast<char>(p[i]));
      i += 2;
      continue;
    }
    uint32_t u = uint32_t(p[i]) | (uint32_t(p[i + 1]) << 8);
    i += 2;
    if (u >= 0xD800 && u <= 0xDFFF) {
      if (u <= 0xDBFF && i < end) {
        const uint32_t lo = uint32_t(p[i]) | (uint32_t(p[i + 1]) << 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          i += 2;
          AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), out);
          continue;
        }
      }
      u = 0xFFFD;
    }
    AppendUtf8(u, out);
  }
}

}  // namespace sbscan::decoders
