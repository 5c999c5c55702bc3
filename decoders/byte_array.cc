#include "decoders/byte_array.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "decoders/bit_runs.h"
#include "decoders/nibble_bitmap.h"

namespace sbscan::decoders {
namespace {

enum : uint8_t { kHex = 1, kWord = 2, kDigit = 4, kSpace = 8 };

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] |= kHex | kWord | kDigit;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kWord;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kWord;
  for (int c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
  for (int c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
  t['_'] |= kWord;
  t[' '] |= kSpace;
  t['\t'] |= kSpace;
  t['\r'] |= kSpace;
  t['\n'] |= kSpace;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClasses();

inline uint8_t Class(std::string_view s, size_t i) {
  return i < s.size() ? kClass[uint8_t(s[i])] : 0;
}
inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (kClass[uint8_t(s[i])] & kSpace)) ++i;
  return i;
}

// Hex string at `i` (a token start). Returns the number of bytes and sets
// *end; 0 when there is none.
size_t ScanHexString(std::string_view s, size_t i, size_t* end) {
  size_t j = i;
  size_t pairs = 0;
  char sep = 0;
  bool letter = false;
  for (;;) {
    if (!(Class(s, j) & kHex) || !(Class(s, j + 1) & kHex)) break;
    letter |= !(Class(s, j) & kDigit) || !(Class(s, j + 1) & kDigit);
    j += 2;
    ++pairs;
    const char c = j < s.size() ? s[j] : 0;
    if (pairs == 1 && (c == ' ' || c == ':' || c == '-' || c == ',')) {
      if (Class(s, j + 1) & kHex) sep = c;
    }
    if (sep != 0) {
      if (c == sep && (Class(s, j + 1) & kHex) && (Class(s, j + 2) & kHex)) {
        ++j;
        continue;
      }
      break;
    }
  }
  if (pairs == 0 || (Class(s, j) & kWord) || !letter) return 0;
  if (sep == 0) {
    const size_t digits = j - i;
    if (digits == 32 || digits == 40 || digits == 64 || digits == 128) {
      return 0;
    }
  }
  *end = j;
  return pairs;
}

// 0xNN list or \xNN escapes at `i`.
size_t ScanHexList(std::string_view s, size_t i, size_t* end) {
  const bool escapes = s[i] == '\\';
  size_t j = i;
  size_t count = 0;
  for (;;) {
    if (j + 2 >= s.size() || s[j] != (escapes ? '\\' : '0') ||
        (s[j + 1] | 0x20) != 'x' || !(Class(s, j + 2) & kHex)) {
      break;
    }
    size_t k = j + 3;
    if (Class(s, k) & kHex) ++k;
    if (!escapes && (Class(s, k) & kWord)) break;  // 0x4d5a: not a byte
    ++count;
    *end = k;
    if (escapes) {
      j = k;
      continue;
    }
    k = SkipSpace(s, k);
    if (k < s.size() && s[k] == ',') {
      j = SkipSpace(s, k + 1);
      continue;
    }
    break;
  }
  return count;
}

// Decimal list at `i`.
size_t ScanDecimalList(std::string_view s, size_t i, size_t* end) {
  size_t j = i;
  size_t count = 0;
  for (;;) {
    size_t k = j;
    unsigned v = 0;
    while (k < s.size() && k - j < 4 && (Class(s, k) & kDigit)) {
      v = v * 10 + (s[k] - '0');
      ++k;
    }
    if (k == j || v > 255 || (Class(s, k) & kWord) ||
        (k < s.size() && s[k] == '.')) {
      break;
    }
    ++count;
    *end = k;
    k = SkipSpace(s, k);
    if (k < s.size() && s[k] == ',') {
      j = SkipSpace(s, k + 1);
      continue;
    }
    break;
  }
  return count;
}

bool DecimalContext(std::string_view s, size_t i) {
  size_t j = i;
  while (j > 0 && ((kClass[uint8_t(s[j - 1])] & kSpace) || s[j - 1] == '(')) {
    --j;
    if (s[j] == '(' && j > 0 && s[j - 1] == '@') return true;
  }
  const size_t from = i >= 80 ? i - 80 : 0;
  const std::string_view window = s.substr(from, i - from);
  for (size_t k = 0; k + 6 <= window.size(); ++k) {
    if ((window[k] | 0x20) == 'b' && (window[k + 1] | 0x20) == 'y' &&
        (window[k + 2] | 0x20) == 't' && (window[k + 3] | 0x20) == 'e' &&
        window[k + 4] == '[' && window[k + 5] == ']') {
      return true;
    }
  }
  return false;
}

bool Has(std::string_view bytes, size_t at, std::string_view magic) {
  return bytes.size() >= at + magic.size() &&
         std::memcmp(bytes.data() + at, magic.data(), magic.size()) == 0;
}

uint32_t LoadLe32(std::string_view b, size_t at) {
  return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8 |
         uint32_t(uint8_t(b[at + 2])) << 16 |
         uint32_t(uint8_t(b[at + 3])) << 24;
}

// ROR13 hashes of Metasploit's block_api (module+function).
constexpr uint32_t kBlockApiHashes[] = {
    0x0726774C,  // kernel32.dll!LoadLibraryA
    0xE553A458,  // kernel32.dll!VirtualAlloc
    0x56A2B5F0,  // kernel32.dll!ExitProcess
    0x876F8B31,  // kernel32.dll!WinExec
    0x006B8029,  // ws2_32.dll!WSAStartup
    0xE0DF0FEA,  // ws2_32.dll!WSASocketA
    0x6174A599,  // ws2_32.dll!connect
    0x5FC8D902,  // ws2_32.dll!recv
    0xA779563A,  // wininet.dll!InternetOpenA
    0xC69F8957,  // wininet.dll!InternetConnectA
    0x3B2E55EB,  // wininet.dll!HttpOpenRequestA
    0x7B18062D,  // wininet.dll!HttpSendRequestA
    0xE2899612,  // wininet.dll!InternetReadFile
    0x9DBD95A6,  // kernel32.dll!GetVersion
    0x6F721347,  // ntdll.dll!RtlExitUserThread
};

}  // namespace

std::string_view ByteArrayFormatName(ByteArrayFormat format) {
  switch (format) {
    case ByteArrayFormat::kHexString:
      return "hex_string";
    case ByteArrayFormat::kHexList:
      return "hex_list";
    case ByteArrayFormat::kDecimalList:
      return "decimal_list";
  }
  return "unknown";
}

namespace {

// The token scan of FindByteArrays over text[from, to): regions that start
// there (they may not reach past `to`: see ForEachByteArraySpan). Starting at
// any `from` outside a region gives the positions a scan from 0 would visit:
// a word that began before `from` is recognised by the byte before it.
size_t ScanSpan(std::string_view text, size_t from, size_t to, size_t min_bytes,
                size_t max_regions, std::vector<ByteArrayRegion>* out) {
  size_t added = 0;
  size_t i = from;
  const size_t n = to;
  while (i < n && added < max_regions) {
    const uint8_t c = uint8_t(text[i]);
    const uint8_t cls = kClass[c];
    if (!(cls & kHex) && c != '\\') {
      if (cls & kWord) {  // skip the rest of a word that cannot start one
        while (i < n && (kClass[uint8_t(text[i])] & kWord)) ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (i > 0 && (kClass[uint8_t(text[i - 1])] & kWord) && c != '\\') {
      while (i < n && (kClass[uint8_t(text[i])] & kWord)) ++i;
      continue;
    }
    size_t end = i;
    size_t count = 0;
    ByteArrayFormat format = ByteArrayFormat::kHexString;
    if (c == '\\' || (c == '0' && i + 1 < text.size() && (text[i + 1] | 0x20) == 'x')) {
      count = ScanHexList(text, i, &end);
      format = ByteArrayFormat::kHexList;
    } else {
      if (cls & kDigit) {
        count = ScanDecimalList(text, i, &end);
        format = ByteArrayFormat::kDecimalList;
        if (count >= min_bytes && !DecimalContext(text, i)) count = 0;
      }
      if (count < min_bytes) {
        count = ScanHexString(text, i, &end);
        format = ByteArrayFormat::kHexString;
      }
    }
    if (count >= min_bytes) {
      out->push_back(ByteArrayRegion{i, end, format, count});
      ++added;
      i = end;
      continue;
    }
    ++i;
    while (i < n && (kClass[uint8_t(text[i])] & kWord)) ++i;
  }
  return added;
}

// Every byte a region can hold: hex digits, x X \ (0x.. and \x..), the
// separators , : - and whitespace. A region of m >= 4 values spans at least
// 2m - 1 of them in a row (m one-digit decimals and m - 1 commas), so only
// runs of such bytes that long need the token scan.
constexpr std::array<bool, 256> MakeSpanBytes() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = (kClass[c] & (kHex | kSpace)) != 0;
  t['x'] = t['X'] = t['\\'] = t[','] = t[':'] = t['-'] = true;
  return t;
}
constexpr std::array<bool, 256> kSpanByte = MakeSpanBytes();

inline size_t MinSpan(size_t min_bytes) { return std::min<size_t>(2 * min_bytes - 1, 64); }

#ifdef SBSCAN_NIBBLE_BITMAP_X86
#define SBSCAN_BYTE_ARRAY_AVX2 1

constexpr NibbleBitmap kSpanBitmap = MakeNibbleBitmap(kSpanByte);


// Calls span(b, e) for each maximal run text[b, e) of span bytes with
// e - b >= min_len (<= 64), in text order, until it returns false.
template <typename Span>
__attribute__((target("avx2"))) void ForEachLongRunAvx2(std::string_view text, size_t min_len,
                                                        Span span) {
  const size_t n = text.size();
  const char* s = text.data();
  size_t run = 0;  // span bytes just before p
  size_t p = 0;
  // Runs ending in the block's first `width` bits m (bits past them 0), exactly.
  auto walk = [&](uint64_t m, size_t base, size_t width) {
    size_t k = 0;
    while (k < width) {
      const uint64_t rest = m >> k;
      if (rest & 1) {  // span bytes from k on
        const size_t len = std::min(static_cast<size_t>(__builtin_ctzll(~rest)), width - k);
        run += len;
        k += len;
        continue;
      }
      if (run >= min_len && !span(base + k - run, base + k)) return false;
      run = 0;
      if (rest == 0) return true;  // no span byte left in the block
      k += static_cast<size_t>(__builtin_ctzll(rest));
    }
    return true;
  };
  for (; p + 64 <= n; p += 64) {
    const uint64_t m = uint64_t{MemberMask32(s + p, kSpanBitmap)} |
                       (uint64_t{MemberMask32(s + p + 32, kSpanBitmap)} << 32);
    if (m == ~uint64_t{0}) {
      run += 64;
      continue;
    }
    const size_t lead = static_cast<size_t>(__builtin_ctzll(~m));
    if (run + lead < min_len && !HasOnesRun(m, min_len)) {  // nothing long starts or ends here
      run = static_cast<size_t>(__builtin_clzll(~m));
      continue;
    }
    if (!walk(m, p, 64)) return;
  }
  uint64_t m = 0;
  for (size_t k = p; k < n; ++k) m |= uint64_t{kSpanByte[uint8_t(s[k])]} << (k - p);
  if (!walk(m, p, n - p)) return;
  if (run >= min_len) span(n - run, n);
}

#endif

}  // namespace

size_t FindByteArraysScalar(std::string_view text, size_t min_bytes,
                            size_t max_regions, std::vector<ByteArrayRegion>* out) {
  min_bytes = std::max<size_t>(min_bytes, 4);
  return ScanSpan(text, 0, text.size(), min_bytes, max_regions, out);
}

size_t FindByteArrays(std::string_view text, size_t min_bytes,
                      size_t max_regions, std::vector<ByteArrayRegion>* out) {
#ifdef SBSCAN_BYTE_ARRAY_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    min_bytes = std::max<size_t>(min_bytes, 4);
    size_t added = 0;
    ForEachLongRunAvx2(text, MinSpan(min_bytes), [&](size_t b, size_t e) {
      added += ScanSpan(text, b, e, min_bytes, max_regions - added, out);
      return added < max_regions;
    });
    return added;
  }
#endif
  return FindByteArraysScalar(text, min_bytes, max_regions, out);
}

Outcome DecodeByteArray(std::string_view s, ByteArrayFormat format,
                        size_t max_out, std::string* out) {
  if (s.empty()) return Outcome::kNotApplicable;
  size_t produced = 0;
  const auto emit = [&](unsigned v) {
    if (produced == max_out) return false;
    out->push_back(static_cast<char>(v));
    ++produced;
    return true;
  };
  size_t i = 0;
  const size_t n = s.size();
  out->reserve(out->size() +
               std::min(max_out, format == ByteArrayFormat::kHexString
                                     ? n / 2
                                     : n / 2 + 1));
  switch (format) {
    case ByteArrayFormat::kHexString: {
      while (i < n) {
        const int hi = HexValue(s[i]);
        if (hi < 0) {
          // A separator: only between pairs.
          if (i == 0 || (s[i] != ' ' && s[i] != ':' && s[i] != '-' &&
                         s[i] != ',' && !(kClass[uint8_t(s[i])] & kSpace))) {
            return Outcome::kMalformed;
          }
          ++i;
          continue;
        }
        if (i + 1 >= n) return Outcome::kMalformed;
        const int lo = HexValue(s[i + 1]);
        if (lo < 0) return Outcome::kMalformed;
        if (!emit(unsigned(hi << 4 | lo))) return Outcome::kLimitReached;
        i += 2;
      }
      break;
    }
    case ByteArrayFormat::kHexList: {
      while (i < n) {
        const char c = s[i];
        if (c == ',' || (kClass[uint8_t(c)] & kSpace)) {
          ++i;
          continue;
        }
        if (!((c == '0' || c == '\\') && i + 2 < n && (s[i + 1] | 0x20) == 'x')) {
          return Outcome::kMalformed;
        }
        i += 2;
        unsigned v = 0;
        size_t digits = 0;
        while (i < n && digits < 2 && HexValue(s[i]) >= 0) {
          v = v * 16 + HexValue(s[i]);
          ++i;
          ++digits;
        }
        if (digits == 0 || (c == '0' && i < n && HexValue(s[i]) >= 0)) {
          return Outcome::kMalformed;
        }
        if (!emit(v)) return Outcome::kLimitReached;
      }
      break;
    }
    case ByteArrayFormat::kDecimalList: {
      while (i < n) {
        const char c = s[i];
        if (c == ',' || (kClass[uint8_t(c)] & kSpace)) {
          ++i;
          continue;
        }
        if (!(kClass[uint8_t(c)] & kDigit)) return Outcome::kMalformed;
        unsigned v = 0;
        while (i < n && (kClass[uint8_t(s[i])] & kDigit)) {
          v = v * 10 + (s[i] - '0');
          if (v > 255) return Outcome::kMalformed;
          ++i;
        }
        if (!emit(v)) return Outcome::kLimitReached;
      }
      break;
    }
  }
  return produced == 0 ? Outcome::kNotApplicable : Outcome::kDecoded;
}

size_t DetectPayloadMarkers(std::string_view b,
                            std::vector<PayloadMarker>* out) {
  const size_t before = out->size();
  if (Has(b, 0, "MZ") && b.size() >= 0x40) {
    const uint32_t lfanew = LoadLe32(b, 0x3C);
    if (lfanew >= 0x40 && lfanew < (1u << 20) &&
        Has(b, lfanew, std::string_view("PE\0\0", 4))) {
      out->push_back({"pe", 0});
      const size_t bsjb = b.find("BSJB");
      if (bsjb != std::string_view::npos) out->push_back({"dotnet", bsjb});
    } else if (lfanew >= 0x40 && lfanew < (1u << 20)) {
      out->push_back({"mz", 0});
    }
  }
  if (Has(b, 0, "\x7F" "ELF")) out->push_back({"elf", 0});
  if (Has(b, 0, "\x1F\x8B\x08")) out->push_back({"gzip", 0});
  if (Has(b, 0, "PK\x03\x04")) out->push_back({"zip", 0});
  const std::string_view head = b.substr(0, 64);
  const size_t x64 = head.find("\xFC\x48\x83\xE4\xF0");
  if (x64 != std::string_view::npos) {
    out->push_back({"shellcode_x64_prologue", x64});
  }
  for (size_t i = 0; i + 6 <= head.size(); ++i) {
    if (uint8_t(head[i]) == 0xFC && uint8_t(head[i + 1]) == 0xE8 &&
        (uint8_t(head[i + 2]) == 0x82 || uint8_t(head[i + 2]) == 0x89 ||
         uint8_t(head[i + 2]) == 0x8F) &&
        head[i + 3] == 0 && head[i + 4] == 0 && head[i + 5] == 0) {
      out->push_back({"shellcode_x86_prologue", i});
      break;
    }
  }
  std::array<bool, 256> low{};
  for (uint32_t h : kBlockApiHashes) low[h & 0xFF] = true;
  const std::string_view scan = b.substr(0, 64 << 10);
  for (size_t i = 0; i + 4 <= scan.size(); ++i) {
    if (!low[uint8_t(scan[i])]) continue;
    const uint32_t v = LoadLe32(scan, i);
    if (std::find(std::begin(kBlockApiHashes), std::end(kBlockApiHashes), v) !=
        std::end(kBlockApiHashes)) {
      out->push_back({"block_api_hash", i});
      break;
    }
  }
  return out->size() - before;
}

}  // namespace sbscan::decoders
