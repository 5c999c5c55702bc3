#include "engine/src/evtx/utf16.h"

#include "engine/src/evtx/byte_order.h"

namespace sbscan::evtx {

size_t TrimTrailingNuls(const uint8_t* data, size_t units) {
  while (units > 0 && data[2 * units - 2] == 0 && data[2 * units - 1] == 0) --units;
  return units;
}

void AppendUtf16LeAsUtf8(const uint8_t* data, size_t units, std::string* out) {
  // Worst case 3 bytes per unit (a surrogate pair: 4 bytes for 2 units).
  const size_t old_size = out->size();
  out->resize(old_size + 3 * units);
  char* dst = out->data() + old_size;
  size_t i = 0;
  while (i < units) {
    // ASCII fast path: four code units at a time.
    while (i + 4 <= units) {
      const uint64_t v = LoadLe64(data + 2 * i);
      if ((v & 0xFF80FF80FF80FF80ull) != 0) break;
      dst[0] = static_cast<char>(v);
      dst[1] = static_cast<char>(v >> 16);
      dst[2] = static_cast<char>(v >> 32);
      dst[3] = static_cast<char>(v >> 48);
      dst += 4;
      i += 4;
    }
    if (i >= units) break;
    uint32_t c = LoadLe16(data + 2 * i);
    ++i;
    if (c < 0x80) {
      *dst++ = static_cast<char>(c);
      continue;
    }
    if (c < 0x800) {
      *dst++ = static_cast<char>(0xC0 | (c >> 6));
      *dst++ = static_cast<char>(0x80 | (c & 0x3F));
      continue;
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      if (c <= 0xDBFF && i < units) {
        const uint32_t lo = LoadLe16(data + 2 * i);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          ++i;
          const uint32_t cp = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
          *dst++ = static_cast<char>(0xF0 | (cp >> 18));
          *dst++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          *dst++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          *dst++ = static_cast<char>(0x80 | (cp & 0x3F));
          continue;
        }
      }
      c = 0xFFFD;  // lone surrogate
    }
    *dst++ = static_cast<char>(0xE0 | (c >> 12));
    *dst++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *dst++ = static_cast<char>(0x80 | (c & 0x3F));
  }
  out->resize(static_cast<size_t>(dst - out->data()));
}

}  // namespace sbscan::evtx
