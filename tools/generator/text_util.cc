#include "tools/generator/text_util.h"

#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sbscan::gen {

void ByteBuffer::AppendUint(uint64_t v) {
  char tmp[24];
  char* p = tmp + sizeof(tmp);
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  Append(std::string_view(p, tmp + sizeof(tmp) - p));
}

namespace {

#if defined(__SSE2__)
// Per 16 bytes: number of UTF-16 units the code points starting there need
// (non-continuation bytes, plus one more for each 4-byte lead).
inline int ChunkUnits(__m128i x) {
  const __m128i cont = _mm_cmplt_epi8(x, _mm_set1_epi8(-64));  // 0x80..0xBF
  const __m128i four = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(-17)),
                                     _mm_cmplt_epi8(x, _mm_setzero_si128()));
  return 16 - __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(cont))) +
         __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(four)));
}
#endif

}  // namespace

size_t Utf16Length(std::string_view utf8) {
  size_t n = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const size_t len = utf8.size();
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= len; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    if (_mm_movemask_epi8(x) == 0) {
      n += 16;
    } else {
      n += static_cast<size_t>(ChunkUnits(x));
    }
  }
#endif
  // Every byte that is not a continuation byte starts one code point; a
  // 4-byte sequence needs a surrogate pair (two units).
  for (; i < len; ++i) {
    n += (p[i] & 0xC0) != 0x80;
    n += p[i] >= 0xF0;
  }
  return n;
}

size_t Utf16UnitToByteOffset(std::string_view utf8, size_t unit) {
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const size_t len = utf8.size();
  size_t units = 0;
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= len; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const size_t c = _mm_movemask_epi8(x) == 0 ? 16 : static_cast<size_t>(ChunkUnits(x));
    if (units + c > unit) break;
    units += c;
  }
#endif
  // Here `units` counts the code points that start before i; continuation
  // bytes at i belong to a code point already counted.
  for (; i < len; ++i) {
    const unsigned char c = p[i];
    if ((c & 0xC0) == 0x80) continue;
    if (units >= unit) return i;
    units += c >= 0xF0 ? 2 : 1;
  }
  return len;
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = p[i] << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

std::string Utf8ToUtf16Le(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() * 2);
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  size_t i = 0;
  while (i < utf8.size()) {
    uint32_t cp;
    const unsigned char c = p[i];
    if (c < 0x80) {
      cp = c;
      i += 1;
    } else if (c < 0xE0) {
      cp = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
      i += 2;
    } else if (c < 0xF0) {
      cp = ((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
      i += 3;
    } else {
      cp = ((c & 0x07) << 18) | ((p[i + 1] & 0x3F) << 12) |
           ((p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
      i += 4;
      const uint32_t v = cp - 0x10000;
      const uint32_t hi = 0xD800 + (v >> 10);
      const uint32_t lo = 0xDC00 + (v & 0x3FF);
      out.push_back(static_cast<char>(hi & 0xFF));
      out.push_back(static_cast<char>(hi >> 8));
      cp = lo;
    }
    out.push_back(static_cast<char>(cp & 0xFF));
    out.push_back(static_cast<char>(cp >> 8));
  }
  return out;
}

namespace {

class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}
  // Writes `n` bits of `v`, least significant first (DEFLATE bit order).
  void Bits(uint32_t v, int n) {
    for (int i = 0; i < n; ++i) Bit((v >> i) & 1);
  }
  // Writes a Huffman code: most significant bit first.
  void Code(uint32_t code, int n) {
    for (int i = n - 1; i >= 0; --i) Bit((code >> i) & 1);
  }
  void Flush() {
    if (nbits_ > 0) out_.push_back(static_cast<char>(acc_));
    acc_ = 0;
    nbits_ = 0;
  }

 private:
  void Bit(uint32_t b) {
    acc_ |= b << nbits_;
    if (++nbits_ == 8) {
      out_.push_back(static_cast<char>(acc_));
      acc_ = 0;
      nbits_ = 0;
    }
  }
  std::string& out_;
  uint32_t acc_ = 0;
  int nbits_ = 0;
};

}  // namespace

std::string DeflateRawFixed(std::string_view bytes) {
  std::string out;
  BitWriter w(out);
  w.Bits(1, 1);  // BFINAL
  w.Bits(1, 2);  // BTYPE = 01 (fixed Huffman)
  for (unsigned char c : bytes) {
    if (c < 144) {
      w.Code(0x30 + c, 8);
    } else {
      w.Code(0x190 + (c - 144), 9);
    }
  }
  w.Code(0, 7);  // end of block (256)
  w.Flush();
  return out;
}

namespace {

struct EscapeEntry {
  char bytes[8];
  uint8_t len;  // 0: copy the byte itself (no escape needed)
};
struct EscapeTable {
  EscapeEntry e[256];
};

constexpr EscapeTable MakeEscapeTable(bool drop_cr) {
  EscapeTable t{};
  constexpr char kHex[] = "0123456789abcdef";
  for (int c = 0; c < 0x20; ++c) {
    t.e[c] = {{'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15], 0, 0}, 6};
  }
  t.e['\n'] = {{'\\', 'n'}, 2};
  t.e['\t'] = {{'\\', 't'}, 2};
  t.e['\b'] = {{'\\', 'b'}, 2};
  t.e['\f'] = {{'\\', 'f'}, 2};
  t.e['\r'] = {{'\\', 'r'}, 2};
  t.e['"'] = {{'\\', '"'}, 2};
  t.e['\\'] = {{'\\', '\\'}, 2};
  if (drop_cr) t.e['\r'] = {{}, 0};
  return t;
}
constexpr EscapeTable kEscapeKeepCr = MakeEscapeTable(false);
constexpr EscapeTable kEscapeDropCr = MakeEscapeTable(true);

inline bool NeedsEscape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

}  // namespace

void AppendJsonEscaped(ByteBuffer& out, std::string_view text, bool drop_cr) {
  // Room for the worst case (every byte \u00XX) plus 16 bytes of slack for
  // the unconditional 16-byte stores below.
  out.Reserve(text.size() * 6 + 32);
  const EscapeTable& table = drop_cr ? kEscapeDropCr : kEscapeKeepCr;
  char* dst = out.Tail();
  char* const start = dst;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i bslash = _mm_set1_epi8('\\');
  const __m128i ctl = _mm_set1_epi8(0x1F);
  while (p + 16 <= end) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), x);
    const __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
        _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
    const unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (bits == 0) {
      p += 16;
      dst += 16;
      continue;
    }
    const int k = __builtin_ctz(bits);
    p += k;
    dst += k;
    const EscapeEntry& e = table.e[*p++];
    std::memcpy(dst, e.bytes, 8);
    dst += e.len;
  }
#endif
  for (; p < end; ++p) {
    const unsigned char c = *p;
    if (!NeedsEscape(c)) {
      *dst++ = static_cast<char>(c);
    } else {
      const EscapeEntry& e = table.e[c];
      std::memcpy(dst, e.bytes, 8);
      dst += e.len;
    }
  }
  out.Advance(static_cast<size_t>(dst - start));
}

void FormatGuid(uint64_t hi, uint64_t lo, bool upper, char* out) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  // Set version 4 and the RFC 4122 variant.
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  int pos = 0;
  auto put = [&](uint64_t w, int nibbles_from, int count) {
    for (int i = 0; i < count; ++i) {
      const int shift = 60 - 4 * (nibbles_from + i);
      out[pos++] = hex[(w >> shift) & 15];
    }
  };
  put(hi, 0, 8);
  out[pos++] = '-';
  put(hi, 8, 4);
  out[pos++] = '-';
  put(hi, 12, 4);
  out[pos++] = '-';
  put(lo, 0, 4);
  out[pos++] = '-';
  put(lo, 4, 12);
}

}  // namespace sbscan::gen
