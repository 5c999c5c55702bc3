#include "decoders/text_triggers.h"

#include <array>
#include <bit>
#include <cstring>
#include <string_view>

#if defined(__x86_64__) || defined(_M_X64)
#define SBSCAN_TRIGGERS_X86 1
#include <immintrin.h>
#endif

#include "decoders/ascii.h"
#include "decoders/bit_runs.h"
#include "decoders/nibble_bitmap.h"
#include "decoders/simd_target.h"
#include "decoders/string_construction.h"

namespace sbscan::decoders {
namespace {

// True when `text` holds `lower_word` (ASCII case-folded). `anchor` is the index of the word's
// rarest byte in script text: it is found with memchr (both cases when a letter), then the
// whole word is compared around it.
bool ContainsCi(std::string_view text, std::string_view lower_word, size_t anchor) {
  const size_t m = lower_word.size();
  if (text.size() < m) return false;
  const char a = lower_word[anchor];
  const bool letter = a >= 'a' && a <= 'z';
  for (char c : {a, letter ? static_cast<char>(a - 32) : a}) {
    const char* s = text.data();
    const char* end = s + text.size();
    for (const char* p = static_cast<const char*>(std::memchr(s + anchor, c, end - s - anchor));
         p != nullptr && p + (m - anchor) <= end;
         p = static_cast<const char*>(std::memchr(p + 1, c, end - p - 1))) {
      const char* w = p - anchor;
      size_t k = 0;
      while (k < m && Lower(w[k]) == lower_word[k]) ++k;
      if (k == m) return true;
    }
    if (!letter) break;
  }
  return false;
}

inline bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'f');
}

// [0-9A-Fa-f :,-], as a table.
constexpr auto kHexish = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'f'; ++c) t[c] = t[c - 32] = true;
  t[' '] = t[':'] = t['-'] = t[','] = true;
  return t;
}();

inline bool IsHexish(char c) { return kHexish[static_cast<unsigned char>(c)]; }

// True when t holds "0x"/"\x" + a hex digit, "@(" + a number, "e[]", or a run of at least
// 2 * kByteArrayMinBytes hex-ish bytes. Rare bytes are found with memchr; the run is found by
// probing every kByteArrayMinBytes-th byte (a long enough run covers two probes in a row).
bool MayHaveByteArray(std::string_view t) {
  const size_t n = t.size();
  if (n == 0) return false;  // (an empty view may have a null data pointer: no memchr on it)
  const char* s = t.data();
  auto find_all = [&](char c, auto&& at) {
    for (const char* p = static_cast<const char*>(std::memchr(s, c, n)); p != nullptr;
         p = static_cast<const char*>(std::memchr(p + 1, c, n - (p + 1 - s)))) {
      if (at(static_cast<size_t>(p - s))) return true;
    }
    return false;
  };
  auto hex_prefix = [&](size_t i) {  // t[i] is 'x' or 'X'
    return i > 0 && (s[i - 1] == '0' || s[i - 1] == '\\') && i + 1 < n && IsHex(s[i + 1]);
  };
  if (find_all('x', hex_prefix) || find_all('X', hex_prefix)) return true;
  if (find_all('@', [&](size_t i) {
        if (i + 1 >= n || s[i + 1] != '(') return false;
        size_t j = i + 2;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) ++j;
        return j < n && s[j] >= '0' && s[j] <= '9';
      })) {
    return true;
  }
  if (find_all('[', [&](size_t i) { return i > 0 && Lower(s[i - 1]) == 'e' && i + 1 < n && s[i + 1] == ']'; })) {
    return true;
  }
  constexpr size_t kStep = kByteArrayMinBytes;  // a run of 2*kStep covers 2 probes in a row
  for (size_t p = kStep; p < n; p += kStep) {
    if (!IsHexish(s[p]) || !IsHexish(s[p - kStep])) continue;
    size_t b = p - kStep, e = p;  // extend the run around the two probes
    while (b > 0 && IsHexish(s[b - 1])) --b;
    bool all = true;
    for (size_t k = p - kStep; k < p && all; ++k) all = IsHexish(s[k]);
    if (!all) continue;
    while (e < n && IsHexish(s[e])) ++e;
    if (e - b >= 2 * kByteArrayMinBytes) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// The fused pass. Every trigger word is found by a prefix of at most three
// bytes (three shifted compares in a vector pass) and confirmed at that
// position by the checks below, which the vector chunks and the scalar tail
// share. The hex-ish run is tracked as a running length across chunks.

constexpr uint32_t kAllTriggers = kTriggerCharCodes | kTriggerNormalize |
                                  kTriggerByteArray | kTriggerXorKey |
                                  kTriggerSecureString | kTriggerCms |
                                  kTriggerRotationLoop;
constexpr size_t kHexRun = 2 * kByteArrayMinBytes;
constexpr std::string_view kSecureHeaders[] = {"76492d1116743f04",
                                               "01000000d08c9ddf"};
constexpr std::string_view kCmsHeader = "-----BEGIN CMS";
constexpr size_t kCmsPrefixAt = 4;  // the "-BE" prefix sits at kCmsHeader[4]

inline bool IEqAt(std::string_view t, size_t i, std::string_view lower_word) {
  if (i > t.size() || t.size() - i < lower_word.size()) return false;
  for (size_t k = 0; k < lower_word.size(); ++k) {
    if (Lower(t[i + k]) != lower_word[k]) return false;
  }
  return true;
}

inline bool EqAt(std::string_view t, size_t i, std::string_view word) {
  return i <= t.size() && t.substr(i).starts_with(word);
}

// Confirmations at position p, where the flag's prefix starts.
bool CharCodesAt(std::string_view t, size_t p) { return IEqAt(t, p, "[char"); }
// The number 26 on its own (% 26, - 26, (26)), not a part of 2026, 0x26, 1.26 or 260.
bool RotationLoopAt(std::string_view t, size_t p) {
  auto word = [](char c) {
    return (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'z') || c == '_';
  };
  return EqAt(t, p, "26") && (p == 0 || (!word(t[p - 1]) && t[p - 1] != '.')) &&
         (p + 2 >= t.size() || !word(t[p + 2]));
}
bool XorKeyAt(std::string_view t, size_t p) { return IEqAt(t, p, "bxor"); }
bool SecureStringAt(std::string_view t, size_t p) {
  return EqAt(t, p, kSecureHeaders[0]) || EqAt(t, p, kSecureHeaders[1]);
}
bool CmsAt(std::string_view t, size_t p) {
  return p >= kCmsPrefixAt && EqAt(t, p - kCmsPrefixAt, kCmsHeader);
}
// "0x"/"\x" + hex digit, "@(" + blanks + digit, or "e[]", starting at p.
bool ByteArrayAt(std::string_view t, size_t p) {
  const size_t n = t.size();
  const char c = t[p];
  if ((c == '0' || c == '\\') && p + 2 < n && Lower(t[p + 1]) == 'x') {
    return IsHex(t[p + 2]);
  }
  if (c == '@' && p + 1 < n && t[p + 1] == '(') {
    size_t j = p + 2;
    while (j < n && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n')) ++j;
    return j < n && t[j] >= '0' && t[j] <= '9';
  }
  return Lower(c) == 'e' && p + 2 < n && t[p + 1] == '[' && t[p + 2] == ']';
}

// The scalar form of one position, for the tail of the vector pass: the
// prefix tests of the flags still wanted, then their confirmations.
__attribute__((always_inline)) inline uint32_t TriggersAt(std::string_view t, size_t p,
                                                         uint32_t want) {
  const char c = t[p];
  const char l = Lower(c);
  const char l1 = p + 1 < t.size() ? Lower(t[p + 1]) : 0;
  uint32_t f = 0;
  if ((want & kTriggerCharCodes) && c == '[' && CharCodesAt(t, p)) f |= kTriggerCharCodes;
  if ((want & kTriggerXorKey) && l == 'b' && XorKeyAt(t, p)) f |= kTriggerXorKey;
  if ((want & kTriggerSecureString) && (c == '7' || c == '0') && SecureStringAt(t, p)) {
    f |= kTriggerSecureString;
  }
  if ((want & kTriggerCms) && c == '-' && CmsAt(t, p)) f |= kTriggerCms;
  if ((want & kTriggerRotationLoop) && c == '2' && RotationLoopAt(t, p)) {
    f |= kTriggerRotationLoop;
  }
  if ((want & kTriggerByteArray) && (c == '0' || c == '\\' || c == '@' || l == 'e') &&
      ByteArrayAt(t, p)) {
    f |= kTriggerByteArray;
  }
  if ((want & kTriggerNormalize) &&
      (c == '`' || c == '+' || c == '{' || c == '[' || (l == 'j' && l1 == 'o') ||
       (l == 'p' && l1 == 'l') || (l == 'r' && l1 == 's') || (l == 'i' && l1 == 'g')) &&
      NormalizationTriggerAt(t, p)) {
    f |= kTriggerNormalize;
  }
  return f;
}

// The vector pass's candidate filter: position p is a candidate when
// (t[p], t[p+1], t[p+2]) falls in one bucket's product of byte sets. The
// buckets hold every prefix that TriggersAt can confirm at p, so the filter
// has no false negatives. A byte's buckets are looked up by nibble (a
// low-nibble table AND a high-nibble table, one pshufb each), which widens
// each set to the product of its nibbles: a superset, still confirmed by
// TriggersAt.
struct ByteSet {
  std::string_view bytes;
  bool blanks = false;  // and the script spaces NextNonBlank skips: \t \n \v \f \r ' '
  bool any = false;     // every byte
};
constexpr std::string_view kHexDigits = "0123456789abcdefABCDEF";
constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kWordBytes =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
struct PrefixBucket {
  ByteSet at[3];  // t[p], t[p+1], t[p+2]
};
constexpr ByteSet kAnyByte{"", false, true};
constexpr PrefixBucket kPrefixBuckets[16] = {
    {{{"["}, {"cC"}, {"hH"}}},                   // [char
    {{{"bB"}, {"xX"}, {"oO"}}},                  // bxor
    {{{"0\\"}, {"xX"}, {kHexDigits}}},           // 0x.. \x.. byte arrays
    {{{"70"}, {"61"}, {"40"}}},                  // SecureString headers 764.. 010..
    {{{"-"}, {"B"}, {"E"}}},                     // -----BEGIN CMS, at its last '-'
    {{{"eE"}, {"["}, {"]"}}},                    // [byte[]]
    {{{"jJ"}, {"oO"}, {"iI"}}},                  // -join
    {{{"pP"}, {"lL"}, {"aA"}}},                  // -replace, at its 'p'
    {{{"rR"}, {"sS"}, {"eE"}}},                  // ::Reverse, at its second 'r'
    {{{"iI"}, {"gG"}, {"hH"}}},                  // RightToLeft, at its 'i'
    {{{"2"}, {"6"}, kAnyByte}},                  // % 26
    {{{"@"}, {"("}, kAnyByte}},                  // @(0x4d, ...)
    {{{"`"}, {kWordBytes}, kAnyByte}},           // I`nv`oke
    {{{"{"}, {kDigits}, {"0123456789}"}}},       // {1}{0}
    {{{"+"}, {"'\"([", true}, kAnyByte}},        // 'a' + 'b'
    {{{"["}, {"-", true}, kAnyByte}},            // $s[-1..
};

// pshufb tables of one prefix position: bucket b is bit b % 8 of half b / 8.
struct NibbleTables {
  uint8_t lo[2][16];
  uint8_t hi[2][16];
};
constexpr std::array<NibbleTables, 3> MakePrefixTables() {
  std::array<NibbleTables, 3> t{};
  for (int j = 0; j < 3; ++j) {
    for (int b = 0; b < 16; ++b) {
      const ByteSet& set = kPrefixBuckets[b].at[j];
      const uint8_t bit = static_cast<uint8_t>(1u << (b % 8));
      NibbleTables& n = t[j];
      auto add = [&](unsigned c) {
        n.lo[b / 8][c & 15] |= bit;
        n.hi[b / 8][c >> 4] |= bit;
      };
      for (unsigned c = 0; c < 256; ++c) {
        const bool space = c == ' ' || (c >= '\t' && c <= '\r');
        if (set.any || (set.blanks && space)) add(c);
      }
      for (char c : set.bytes) add(static_cast<uint8_t>(c));
    }
  }
  return t;
}
constexpr std::array<NibbleTables, 3> kPrefixTables = MakePrefixTables();

// The hex-ish class exactly, for the vector pass.
constexpr NibbleBitmap kHexishMap = MakeNibbleBitmap(kHexish);

}  // namespace

#ifdef SBSCAN_TRIGGERS_X86

// Each instruction set's copy of text_triggers_chunk.inc, in its own
// namespace and target region: functions defined there compile for that
// level (and run only when the CPU has it); the library's other code, std's
// inline functions included, keeps the baseline target. The 16-byte path
// needs SSSE3 (pshufb) and serves SimdPath::kSse2 where the CPU has
// it; without it that path is the scalar reference.
SBSCAN_TARGET_BEGIN("ssse3")
namespace ssse3 {
namespace {
struct Isa {
  using V = __m128i;
  using Mask = uint32_t;
  static constexpr size_t kWidth = 16;
  static V Load(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static V And(V a, V b) { return _mm_and_si128(a, b); }
  static V Or(V a, V b) { return _mm_or_si128(a, b); }
  static V Table(const uint8_t (&t)[16]) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(t)); }
  static V Lookup(V table, V nibbles) { return _mm_shuffle_epi8(table, nibbles); }
  static V Low(V a) { return _mm_and_si128(a, _mm_set1_epi8(0x0F)); }
  static V High(V a) { return _mm_and_si128(_mm_srli_epi16(a, 4), _mm_set1_epi8(0x0F)); }
  static uint32_t NonZero(V a) {  // bit k = byte k is not zero
    return ~static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())));
  }
};
#include "decoders/text_triggers_chunk.inc"
}  // namespace
}  // namespace ssse3
SBSCAN_TARGET_END
SBSCAN_TARGET_BEGIN("avx2")
namespace avx2 {
namespace {
struct Isa {
  using V = __m256i;
  using Mask = uint32_t;
  static constexpr size_t kWidth = 32;
  static V Load(const char* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static V And(V a, V b) { return _mm256_and_si256(a, b); }
  static V Or(V a, V b) { return _mm256_or_si256(a, b); }
  static V Table(const uint8_t (&t)[16]) {  // the same table in both 128-bit lanes
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
  }
  static V Lookup(V table, V nibbles) { return _mm256_shuffle_epi8(table, nibbles); }
  static V Low(V a) { return _mm256_and_si256(a, _mm256_set1_epi8(0x0F)); }
  static V High(V a) { return _mm256_and_si256(_mm256_srli_epi16(a, 4), _mm256_set1_epi8(0x0F)); }
  static uint32_t NonZero(V a) {
    return ~static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(a, _mm256_setzero_si256())));
  }
};
#include "decoders/text_triggers_chunk.inc"
}  // namespace
}  // namespace avx2
SBSCAN_TARGET_END
SBSCAN_TARGET_BEGIN("avx2,avx512f,avx512bw")
namespace avx512 {
namespace {
struct Isa {
  using V = __m512i;
  using Mask = uint64_t;
  static constexpr size_t kWidth = 64;
  static V Load(const char* p) { return _mm512_loadu_si512(p); }
  static V And(V a, V b) { return _mm512_and_si512(a, b); }
  static V Or(V a, V b) { return _mm512_or_si512(a, b); }
  static V Table(const uint8_t (&t)[16]) {  // the same table in all four 128-bit lanes
    return _mm512_maskz_broadcast_i32x4(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
  }
  static V Lookup(V table, V nibbles) { return _mm512_shuffle_epi8(table, nibbles); }
  static V Low(V a) { return _mm512_and_si512(a, _mm512_set1_epi8(0x0F)); }
  static V High(V a) { return _mm512_and_si512(_mm512_srli_epi16(a, 4), _mm512_set1_epi8(0x0F)); }
  static Mask NonZero(V a) { return _mm512_test_epi8_mask(a, a); }
};
#include "decoders/text_triggers_chunk.inc"
}  // namespace
}  // namespace avx512
SBSCAN_TARGET_END

#endif  // SBSCAN_TRIGGERS_X86

namespace {

// The fused pass on `path`: vector chunks, then the last bytes one by one.
uint32_t FusedTriggers(SimdPath path, std::string_view t) {
  uint32_t found = 0;
  size_t p = 0, run = 0;
#ifdef SBSCAN_TRIGGERS_X86
  if (path == SimdPath::kAvx512) found = avx512::VectorTriggers(t, &p, &run);
  if (path == SimdPath::kAvx2) found = avx2::VectorTriggers(t, &p, &run);
  if (path == SimdPath::kSse2) found = ssse3::VectorTriggers(t, &p, &run);
#else
  (void)path;
#endif
  for (; p < t.size() && found != kAllTriggers; ++p) {
    if (!(found & kTriggerByteArray)) {
      run = IsHexish(t[p]) ? run + 1 : 0;
      if (run >= kHexRun) found |= kTriggerByteArray;
    }
    found |= TriggersAt(t, p, kAllTriggers & ~found);
  }
  return found;
}

}  // namespace

uint32_t TextTriggersScalar(std::string_view text) {
  uint32_t f = 0;
  if (ContainsCi(text, "[char", 0)) f |= kTriggerCharCodes;
  if (MayNeedNormalization(text)) f |= kTriggerNormalize;
  if (MayHaveByteArray(text)) f |= kTriggerByteArray;
  if (ContainsCi(text, "bxor", 1)) f |= kTriggerXorKey;
  if (text.find(kSecureHeaders[0]) != std::string_view::npos ||
      text.find(kSecureHeaders[1]) != std::string_view::npos) {
    f |= kTriggerSecureString;
  }
  if (text.find(kCmsHeader) != std::string_view::npos) f |= kTriggerCms;
  for (size_t at = text.find("26"); at != std::string_view::npos; at = text.find("26", at + 1)) {
    if (RotationLoopAt(text, at)) {
      f |= kTriggerRotationLoop;
      break;
    }
  }
  return f;
}

uint32_t TextTriggersWith(SimdPath path, std::string_view text) {
  if (!SimdPathSupported(path)) path = SimdPath::kScalar;
#ifdef SBSCAN_TRIGGERS_X86
  static const bool has_ssse3 = __builtin_cpu_supports("ssse3");
  if (path == SimdPath::kSse2 && !has_ssse3) path = SimdPath::kScalar;
#endif
  if (path == SimdPath::kScalar) return TextTriggersScalar(text);
  return FusedTriggers(path, text);
}

void ScanTextWith(SimdPath path, std::string_view text,
                  size_t min_run, size_t max_candidates,
                  std::vector<Candidate>* out, uint32_t* triggers) {
  FindBase64CandidatesWith(path, text, min_run, max_candidates, out);
  *triggers = TextTriggersWith(path, text);
}

void ScanText(std::string_view text, size_t min_run, size_t max_candidates,
              std::vector<Candidate>* out, uint32_t* triggers) {
  ScanTextWith(ActiveSimdPath(), text, min_run, max_candidates, out,
               triggers);
}

}  // namespace sbscan::decoders
