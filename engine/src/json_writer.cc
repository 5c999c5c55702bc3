#include "engine/src/json_writer.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/numbers.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sbscan {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t Utf8Length(std::string_view s, size_t i) {
  unsigned char c = s[i];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

inline bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// The index of the first byte at or after i that is not plain: one JSON must escape (< 0x20,
// '"', '\\') or one that starts a multi-byte UTF-8 sequence (>= 0x80, validated by the
// caller). 16 bytes per step with SSE2 (baseline on x86-64): as signed bytes, >= 0x80 is
// negative, so one signed "< 0x20" compare finds both ends of the range.
size_t SkipPlain(std::string_view s, size_t i) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i special = _mm_or_si128(
        _mm_cmplt_epi8(v, space),
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < s.size() && IsPlain(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one go.
    const size_t run = SkipPlain(text, i);
    out->append(text.data() + i, run - i);
    i = run;
    if (i >= text.size()) break;
    unsigned char c = text[i];
    if (c >= 0x80) {
      size_t n = Utf8Length(text, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");
        ++i;
      } else {
        out->append(text.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
    ++i;
  }
  out->push_back('"');
}

void AppendJsonInt(int64_t value, std::string* out) {
  char buf[32];
  char* end = absl::numbers_internal::FastIntToBuffer(value, buf);
  out->append(buf, end - buf);
}

void AppendJsonDouble(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.4g", value);
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace sbscan
