#include "decoders/obfuscation_score.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "decoders/bit_runs.h"
#include "decoders/simd_target.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SBSCAN_OBF_X86 1
#include <immintrin.h>
#endif

namespace sbscan::decoders {
namespace {

enum Class : uint8_t { kOther, kUpper, kLower, kDigit, kSpace, kPunct };

struct ClassTable {
  uint8_t c[256];
  constexpr ClassTable() : c() {
    for (int i = 0; i < 256; ++i) {
      uint8_t k = kOther;
      if (i >= 'A' && i <= 'Z') k = kUpper;
      else if (i >= 'a' && i <= 'z') k = kLower;
      else if (i >= '0' && i <= '9') k = kDigit;
      else if (i == ' ' || i == '\t' || i == '\r' || i == '\n') k = kSpace;
      else if (i > 0x20 && i < 0x7F) k = kPunct;
      c[i] = k;
    }
  }
};
constexpr ClassTable kClass;

inline bool IsWord(uint8_t k) { return k == kUpper || k == kLower || k == kDigit; }

// Saturating ramp: 0 at `lo`, 1 at `hi`.
double Ramp(double x, double lo, double hi) {
  if (x <= lo) return 0;
  if (x >= hi) return 1;
  return (x - lo) / (hi - lo);
}

// Bytes that need more than counting: quotes, backtick, '{', '[', ',',
// '\n'.
struct RareTable {
  bool r[256];
  constexpr RareTable() : r() {
    for (char c : {'\'', '"', '`', '{', '[', ',', '\n'}) {
      r[static_cast<unsigned char>(c)] = true;
    }
  }
};
constexpr RareTable kRare;

// Counters of one pass, turned into features by Finish (shared by both
// implementations so that the floating-point work is the same).
struct Counts {
  size_t flips = 0, letter_pairs = 0, ticks = 0, concat = 0, format = 0;
  size_t casts = 0, list_numbers = 0, in_string = 0, newlines = 0;
  size_t longest_token = 0, longest_special = 0;
};

// The checks run at a backtick, '{' or '[' at `i` (any context).
inline void RareAt(const uint8_t* s, size_t n, size_t i, Counts& c) {
  const uint8_t b = s[i];
  if (b == '`') {
    c.ticks += i > 0 && i + 1 < n && IsWord(kClass.c[s[i - 1]]) &&
               IsWord(kClass.c[s[i + 1]]);
  } else if (b == '{') {
    c.format += i + 2 < n && kClass.c[s[i + 1]] == kDigit &&
                (s[i + 2] == '}' || (kClass.c[s[i + 2]] == kDigit &&
                                     i + 3 < n && s[i + 3] == '}'));
  } else if (b == '[') {
    c.casts += i + 5 < n && (s[i + 1] | 0x20) == 'c' &&
               (s[i + 2] | 0x20) == 'h' && (s[i + 3] | 0x20) == 'a' &&
               (s[i + 4] | 0x20) == 'r';
  }
}

// A quote at `i`: closes the open literal if it is its quote, else (outside
// a literal) opens one, counting 'a'+'b' concatenations.
inline void QuoteAt(const uint8_t* s, size_t i, uint8_t& quote,
                    size_t& quote_at, Counts& c) {
  const uint8_t b = s[i];
  if (quote != 0) {
    if (b == quote) {
      c.in_string += i - quote_at + 1;
      quote = 0;
    }
    return;
  }
  quote = b;
  quote_at = i;
  // 'a'+'b': a quote, optional blanks, '+', optional blanks, then this
  // quote.
  size_t j = i;
  while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t')) --j;
  if (j > 0 && s[j - 1] == '+') {
    --j;
    while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t')) --j;
    if (j > 0 && (s[j - 1] == '\'' || s[j - 1] == '"')) ++c.concat;
  }
}

struct ClassCounts {
  size_t letters, upper, digits, spaces, punct;
};

// Class counts from the class ranges of a histogram (same sums as kClass,
// no store-to-load chain through a class array).
ClassCounts CountClasses(const uint32_t (&hist)[256]) {
  auto sum = [&](int lo, int hi) {
    uint32_t t = 0;
    for (int c = lo; c <= hi; ++c) t += hist[c];
    return size_t{t};
  };
  ClassCounts k;
  k.upper = sum('A', 'Z');
  k.digits = sum('0', '9');
  k.letters = k.upper + sum('a', 'z');
  k.spaces = size_t{hist[' ']} + hist['\t'] + hist['\r'] + hist['\n'];
  k.punct = sum(0x21, 0x7E) - k.letters - k.digits;
  return k;
}

// Byte counts of `s[0, n)`. Four interleaved histograms: repeated bytes do
// not wait on one counter.
void CountBytes(const uint8_t* s, size_t n, uint32_t (&hist)[256]) {
  uint32_t hist4[4][256] = {};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++hist4[0][s[i]];
    ++hist4[1][s[i + 1]];
    ++hist4[2][s[i + 2]];
    ++hist4[3][s[i + 3]];
  }
  for (; i < n; ++i) ++hist4[0][s[i]];
  for (int b = 0; b < 256; ++b) {
    hist[b] = hist4[0][b] + hist4[1][b] + hist4[2][b] + hist4[3][b];
  }
}

// Shannon entropy of a histogram of `n` bytes, bits/byte.
double EntropyOf(const uint32_t (&hist)[256], size_t n) {
  const double dn = static_cast<double>(n);
  double h = 0;
  for (uint32_t c : hist) {
    if (c == 0) continue;
    const double p = c / dn;
    h -= p * std::log2(p);
  }
  return h;
}

// The features from a pass's counters (entropy left 0: the caller's).
ObfuscationFeatures Finish(size_t n, const Counts& k, const ClassCounts& cc) {
  ObfuscationFeatures f;
  f.length = n;
  f.lines = 1 + k.newlines;
  f.longest_token = k.longest_token;
  f.longest_special_run = k.longest_special;
  const size_t letters = cc.letters, upper = cc.upper, digits = cc.digits;
  const size_t spaces = cc.spaces, punct = cc.punct;
  const double dn = static_cast<double>(n);
  f.letter_ratio = letters / dn;
  f.digit_ratio = digits / dn;
  f.space_ratio = spaces / dn;
  f.special_ratio = punct / dn;
  f.upper_ratio = letters ? static_cast<double>(upper) / letters : 0;
  f.case_flip_ratio =
      k.letter_pairs ? static_cast<double>(k.flips) / k.letter_pairs : 0;
  const double per_k = 1000.0 / dn;
  f.backtick_density = k.ticks * per_k;
  f.concat_density = k.concat * per_k;
  f.format_density = k.format * per_k;
  f.char_cast_density = k.casts * per_k;
  f.number_list_density = k.list_numbers * per_k;
  f.string_ratio = k.in_string / dn;
  return f;
}

// Per 64-byte block, bit i for byte i (Isa::Classify64 of each vector pass).
struct Masks {
  uint64_t letter, b5, digit, space, nl, punct, squote, dquote, tick, brace,
      bracket, comma, c, blank;
};

}  // namespace

#ifdef SBSCAN_OBF_X86

// Each instruction set's copy of obfuscation_score_vector.inc, in its own
// namespace and target region (as text_triggers.cc does).
SBSCAN_TARGET_BEGIN("avx2,bmi,bmi2,popcnt,lzcnt")
namespace avx2 {
namespace {
constexpr int kMasks = 14;

inline __m256i Eq(__m256i x, char ch) { return _mm256_cmpeq_epi8(x, _mm256_set1_epi8(ch)); }

inline void Classify32(__m256i x, uint32_t out[kMasks]) {
  const __m256i lc = _mm256_or_si256(x, _mm256_set1_epi8(0x20));
  const __m256i tl = _mm256_sub_epi8(lc, _mm256_set1_epi8('a'));
  const __m256i letter =
      _mm256_cmpeq_epi8(_mm256_min_epu8(tl, _mm256_set1_epi8(25)), tl);
  const __m256i td = _mm256_sub_epi8(x, _mm256_set1_epi8('0'));
  const __m256i digit =
      _mm256_cmpeq_epi8(_mm256_min_epu8(td, _mm256_set1_epi8(9)), td);
  // \t \n \r by a nibble lookup (bytes >= 0x10 never equal their entry),
  // plus ' '.
  const __m256i ws_tab = _mm256_setr_epi8(
      -1, -1, -1, -1, -1, -1, -1, -1, -1, 9, 10, -1, -1, 13, -1, -1,
      -1, -1, -1, -1, -1, -1, -1, -1, -1, 9, 10, -1, -1, 13, -1, -1);
  const __m256i sp = Eq(x, ' ');
  const __m256i space = _mm256_or_si256(
      sp, _mm256_cmpeq_epi8(_mm256_shuffle_epi8(ws_tab, x), x));
  const __m256i tg = _mm256_sub_epi8(x, _mm256_set1_epi8(0x21));
  const __m256i graphic =
      _mm256_cmpeq_epi8(_mm256_min_epu8(tg, _mm256_set1_epi8(0x5D)), tg);
  const __m256i punct =
      _mm256_andnot_si256(_mm256_or_si256(letter, digit), graphic);
  out[0] = _mm256_movemask_epi8(letter);
  out[1] = _mm256_movemask_epi8(_mm256_slli_epi16(x, 2));  // bit 5
  out[2] = _mm256_movemask_epi8(digit);
  out[3] = _mm256_movemask_epi8(space);
  out[4] = _mm256_movemask_epi8(Eq(x, '\n'));
  out[5] = _mm256_movemask_epi8(punct);
  out[6] = _mm256_movemask_epi8(Eq(x, '\''));
  out[7] = _mm256_movemask_epi8(Eq(x, '"'));
  out[8] = _mm256_movemask_epi8(Eq(x, '`'));
  out[9] = _mm256_movemask_epi8(Eq(x, '{'));
  out[10] = _mm256_movemask_epi8(Eq(x, '['));
  out[11] = _mm256_movemask_epi8(Eq(x, ','));
  out[12] = _mm256_movemask_epi8(
      _mm256_cmpeq_epi8(lc, _mm256_set1_epi8('c')));
  out[13] = _mm256_movemask_epi8(_mm256_or_si256(sp, Eq(x, '\t')));
}

struct Isa {
  static Masks Classify64(const uint8_t* p) {
    uint32_t a[kMasks], b[kMasks];
    Classify32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), a);
    Classify32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), b);
    auto j = [&](int k) { return uint64_t{a[k]} | (uint64_t{b[k]} << 32); };
    return {j(0), j(1), j(2), j(3),  j(4),  j(5),  j(6),
            j(7), j(8), j(9), j(10), j(11), j(12), j(13)};
  }
};
#include "decoders/obfuscation_score_vector.inc"
}  // namespace
}  // namespace avx2
SBSCAN_TARGET_END
SBSCAN_TARGET_BEGIN("avx2,avx512f,avx512bw,bmi,bmi2,popcnt,lzcnt")
namespace avx512 {
namespace {
// The classes of avx2::Classify32 over 64 bytes, compared straight into mask
// registers.
struct Isa {
  static __mmask64 Eq(__m512i x, char ch) {
    return _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(ch));
  }
  static __mmask64 InRange(__m512i x, char lo, char width) {  // lo <= x <= lo + width
    return _mm512_cmple_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8(lo)),
                                  _mm512_set1_epi8(width));
  }
  static Masks Classify64(const uint8_t* p) {
    const __m512i x = _mm512_loadu_si512(p);
    const __m512i lc = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
    const __mmask64 letter = InRange(lc, 'a', 25);
    const __mmask64 digit = InRange(x, '0', 9);
    const __m512i ws_tab = _mm512_maskz_broadcast_i32x4(0xFFFF, 
        _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, 9, 10, -1, -1, 13, -1, -1));
    const __mmask64 sp = Eq(x, ' ');
    const __mmask64 space = sp | _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(ws_tab, x), x);
    const __mmask64 graphic = InRange(x, 0x21, 0x5D);
    Masks m;
    m.letter = letter;
    m.b5 = _mm512_test_epi8_mask(x, _mm512_set1_epi8(0x20));
    m.digit = digit;
    m.space = space;
    m.nl = Eq(x, '\n');
    m.punct = graphic & ~(letter | digit);
    m.squote = Eq(x, '\'');
    m.dquote = Eq(x, '"');
    m.tick = Eq(x, '`');
    m.brace = Eq(x, '{');
    m.bracket = Eq(x, '[');
    m.comma = Eq(x, ',');
    m.c = Eq(lc, 'c');
    m.blank = sp | Eq(x, '\t');
    return m;
  }
};
#include "decoders/obfuscation_score_vector.inc"
}  // namespace
}  // namespace avx512
SBSCAN_TARGET_END

#endif  // SBSCAN_OBF_X86

namespace {
}  // namespace

ObfuscationFeatures ComputeObfuscationFeaturesScalar(std::string_view text,
                                                     EntropyPass pass) {
  const size_t n = text.size();
  if (n == 0) {
    ObfuscationFeatures f;
    f.lines = 1;
    return f;
  }
  Counts c;
  size_t token = 0, special_run = 0;
  uint8_t quote = 0;  // inside a literal opened by this quote
  size_t quote_at = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  uint8_t prev = kSpace;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = s[i];
    const uint8_t k = kClass.c[b];
    const bool letter = k == kUpper || k == kLower;
    const bool prev_letter = prev == kUpper || prev == kLower;
    c.letter_pairs += letter & prev_letter;
    c.flips += (k == kUpper) & (prev == kLower);
    token = k == kSpace ? 0 : token + 1;
    c.longest_token = std::max(c.longest_token, token);
    special_run = k == kPunct ? special_run + 1 : 0;
    c.longest_special = std::max(c.longest_special, special_run);
    if (kRare.r[b]) {
      if (b == '\n') ++c.newlines;
      if (b == '\'' || b == '"') QuoteAt(s, i, quote, quote_at, c);
      RareAt(s, n, i, c);
      if (b == ',' && (prev == kDigit ||
                       (prev == kSpace && i >= 2 &&
                        kClass.c[s[i - 2]] == kDigit))) {
        ++c.list_numbers;
      }
    }
    prev = k;
  }
  if (quote != 0) c.in_string += n - quote_at;
  // The reference counts the classes from its histogram (the vector pass
  // from its class masks).
  uint32_t hist[256];
  CountBytes(s, n, hist);
  ObfuscationFeatures f = Finish(n, c, CountClasses(hist));
  if (pass == EntropyPass::kWithEntropy) f.entropy = EntropyOf(hist, n);
  return f;
}

ObfuscationFeatures ComputeObfuscationFeaturesWith(SimdPath path, std::string_view text,
                                                   EntropyPass pass) {
  if (!SimdPathSupported(path) || text.empty()) path = SimdPath::kScalar;
  ObfuscationFeatures f;
  switch (path) {
#ifdef SBSCAN_OBF_X86
    case SimdPath::kAvx512:
      f = avx512::ComputeVector(text);
      break;
    case SimdPath::kAvx2:
      f = avx2::ComputeVector(text);
      break;
#endif
    default:  // no 16-byte pass: the reference
      return ComputeObfuscationFeaturesScalar(text, pass);
  }
  if (pass == EntropyPass::kWithEntropy) f.entropy = ByteEntropy(text);
  return f;
}

double ByteEntropy(std::string_view text) {
  if (text.empty()) return 0;
  uint32_t hist[256];
  CountBytes(reinterpret_cast<const uint8_t*>(text.data()), text.size(), hist);
  return EntropyOf(hist, text.size());
}

ObfuscationFeatures ComputeObfuscationFeatures(std::string_view text,
                                               EntropyPass pass) {
  return ComputeObfuscationFeaturesWith(ActiveSimdPath(), text, pass);
}

double Score(const ObfuscationFeatures& f) {
  if (f.length == 0) return 0;
  // Indicators, each in [0, 1]. Benign scripts: case flips ~1-3% of letter
  // pairs (CamelCase), random case ~25%+.
  const double random_case = Ramp(f.case_flip_ratio, 0.06, 0.16);
  const double ticks = Ramp(f.backtick_density, 2, 12);
  const double concat = Ramp(f.concat_density, 4, 20);
  const double format = Ramp(f.format_density, 6, 30);
  const double casts = Ramp(f.char_cast_density, 5, 25);
  const double numbers = Ramp(f.number_list_density, 60, 150);
  const double dense = Ramp(static_cast<double>(f.longest_token), 150, 600) *
                       Ramp(0.12 - f.space_ratio, 0, 0.08);
  const double specials =
      Ramp(static_cast<double>(f.longest_special_run), 6, 20);
  const double one_line =
      Ramp(static_cast<double>(f.length) / static_cast<double>(f.lines), 300,
           1200);
  const double low_letters = Ramp(0.45 - f.letter_ratio, 0, 0.2);
  // Punctuation-only encodings (${=}=+$();${]!}=++${=} ...): benign code is
  // 10-25% punctuation.
  const double symbolic = Ramp(f.special_ratio, 0.35, 0.5) *
                          Ramp(0.25 - f.letter_ratio, 0, 0.1);
  // Strong signals count alone; weak ones only together.
  double strong = std::max({random_case, ticks, concat, format, casts,
                            numbers, symbolic});
  double weak = 0.35 * dense + 0.25 * specials + 0.2 * one_line +
                0.2 * low_letters;
  double score = 0.75 * strong + 0.5 * weak;
  score = std::min(1.0, score);
  if (f.length < kObfuscationMinLength) {
    score *= static_cast<double>(f.length) / kObfuscationMinLength;
  }
  return score;
}

}  // namespace sbscan::decoders
