#include "decoders/obfuscation_score.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "decoders/bit_runs.h"

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

#ifdef SBSCAN_OBF_X86

#define SBSCAN_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt,lzcnt")))


// Longest run of set bits of `x`.
SBSCAN_AVX2 inline size_t LongestRun(uint64_t x) {
  size_t r = 0;
  while (x) {
    x &= x << 1;
    ++r;
  }
  return r;
}

// Folds the 64-byte block mask `m` (bit i: byte i is in the run's class)
// into a run that carries over blocks (`run`) and its maximum (`best`).
// Bits of `m` past the end of the text must be 0.
SBSCAN_AVX2 inline void Runs(uint64_t m, size_t& run, size_t& best) {
  if (m == ~uint64_t{0}) {
    run += 64;
    return;
  }
  best = std::max(best, run + static_cast<size_t>(_tzcnt_u64(~m)));
  if (best < 64 && HasOnesRun(m, best + 1)) best = std::max(best, LongestRun(m));
  run = _lzcnt_u64(~m);
}

// Per 64-byte block, bit i for byte i.
struct Masks {
  uint64_t letter, b5, digit, space, nl, punct, squote, dquote, tick, brace,
      bracket, comma, c, blank;
};
constexpr int kMasks = 14;

SBSCAN_AVX2 inline void Classify32(__m256i x, uint32_t out[kMasks]) {
  auto eq = [&](char ch) SBSCAN_AVX2 {
    return _mm256_cmpeq_epi8(x, _mm256_set1_epi8(ch));
  };
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
  const __m256i sp = eq(' ');
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
  out[4] = _mm256_movemask_epi8(eq('\n'));
  out[5] = _mm256_movemask_epi8(punct);
  out[6] = _mm256_movemask_epi8(eq('\''));
  out[7] = _mm256_movemask_epi8(eq('"'));
  out[8] = _mm256_movemask_epi8(eq('`'));
  out[9] = _mm256_movemask_epi8(eq('{'));
  out[10] = _mm256_movemask_epi8(eq('['));
  out[11] = _mm256_movemask_epi8(eq(','));
  out[12] = _mm256_movemask_epi8(
      _mm256_cmpeq_epi8(lc, _mm256_set1_epi8('c')));
  out[13] = _mm256_movemask_epi8(_mm256_or_si256(sp, eq('\t')));
}

SBSCAN_AVX2 inline Masks Classify64(const uint8_t* p) {
  uint32_t a[kMasks], b[kMasks];
  Classify32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), a);
  Classify32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), b);
  auto j = [&](int k) { return uint64_t{a[k]} | (uint64_t{b[k]} << 32); };
  return {j(0), j(1), j(2), j(3),  j(4),  j(5),  j(6),
          j(7), j(8), j(9), j(10), j(11), j(12), j(13)};
}

SBSCAN_AVX2 ObfuscationFeatures ComputeAvx2Impl(std::string_view text) {
  const size_t n = text.size();
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  Counts c;
  size_t token = 0, special = 0;
  uint8_t quote = 0;  // inside a literal opened by this quote
  size_t quote_at = 0;
  // Previous block's masks (bit 63: the byte before this block). Before
  // the text: a space, no digit / letter.
  uint64_t prev_letter = 0, prev_lower = 0, prev_digit = 0, prev_word = 0,
           prev_space = uint64_t{1} << 63;
  // The last byte before this block that is not ' ' or '\t' (0: none).
  uint8_t last_nonblank = 0;
  size_t letter_pairs = 0, flips = 0, list_numbers = 0, newlines = 0;
  size_t letters = 0, upper_count = 0, digits = 0, spaces = 0, puncts = 0;
  constexpr uint64_t kTop = uint64_t{1} << 63;
  auto block = [&](const Masks& m, uint64_t valid, size_t base)
                   SBSCAN_AVX2 __attribute__((always_inline)) {
    const uint64_t lower = m.letter & m.b5, upper = m.letter & ~m.b5;
    const uint64_t word = m.letter | m.digit;
    const uint64_t l1 = (m.letter << 1) | (prev_letter >> 63);
    const uint64_t lo1 = (lower << 1) | (prev_lower >> 63);
    const uint64_t d1 = (m.digit << 1) | (prev_digit >> 63);
    const uint64_t d2 = (m.digit << 2) | (prev_digit >> 62);
    const uint64_t s1 = (m.space << 1) | (prev_space >> 63);
    const uint64_t w1 = (word << 1) | (prev_word >> 63);
    letter_pairs += _mm_popcnt_u64(m.letter & l1);
    flips += _mm_popcnt_u64(upper & lo1);
    list_numbers += _mm_popcnt_u64(m.comma & (d1 | (s1 & d2)));
    newlines += _mm_popcnt_u64(m.nl);
    letters += _mm_popcnt_u64(m.letter);
    upper_count += _mm_popcnt_u64(upper);
    digits += _mm_popcnt_u64(m.digit);
    spaces += _mm_popcnt_u64(m.space);
    puncts += _mm_popcnt_u64(m.punct);
    prev_letter = m.letter;
    prev_lower = lower;
    prev_digit = m.digit;
    prev_space = m.space;
    prev_word = word;
    Runs(~m.space & valid, token, c.longest_token);
    Runs(m.punct, special, c.longest_special);
    // Backticks, '{' and '[' that can start a match (a word byte before a
    // backtick and after it, a digit after '{', 'c' after '['; the byte
    // after bit 63 is in the next block: kept as a candidate), then the
    // exact checks.
    const uint64_t cand = (m.tick & w1 & ((word >> 1) | kTop)) |
                          (m.brace & ((m.digit >> 1) | kTop)) |
                          (m.bracket & ((m.c >> 1) | kTop));
    for (uint64_t r = cand; r; r = _blsr_u64(r)) {
      RareAt(s, n, base + _tzcnt_u64(r), c);
    }
    // Literals: from an opening quote jump to the next quote of the same
    // kind.
    uint64_t q = m.squote | m.dquote;
    while (q) {
      if (quote != 0) {
        const uint64_t same = q & (quote == '\'' ? m.squote : m.dquote);
        if (same == 0) break;
        const unsigned j = _tzcnt_u64(same);
        c.in_string += base + j - quote_at + 1;
        quote = 0;
        q = j == 63 ? 0 : q & (~uint64_t{0} << (j + 1));
        continue;
      }
      const unsigned j = _tzcnt_u64(q);
      q = _blsr_u64(q);
      const size_t i = base + j;
      quote = s[i];
      quote_at = i;
      // 'a'+'b' needs '+' as the last byte before the quote that is not
      // ' ' or '\t'; only then the exact backward scan.
      const uint64_t before = m.blank | ~valid;
      const uint64_t nb = ~before & ((uint64_t{1} << j) - 1);
      const uint8_t prev_nb = nb ? s[base + 63 - _lzcnt_u64(nb)] : last_nonblank;
      if (prev_nb == '+') {
        uint8_t dummy_quote = 0;
        size_t dummy_at = 0;
        QuoteAt(s, i, dummy_quote, dummy_at, c);
      }
    }
    const uint64_t nb = ~m.blank & valid;
    if (nb) last_nonblank = s[base + 63 - _lzcnt_u64(nb)];
  };
  size_t i = 0;
  for (; i + 64 <= n; i += 64) block(Classify64(s + i), ~uint64_t{0}, i);
  if (i < n) {
    alignas(32) uint8_t tail[64] = {};
    const size_t r = n - i;
    std::memcpy(tail, s + i, r);
    block(Classify64(tail), (uint64_t{1} << r) - 1, i);
    // Runs that end the text inside the tail were counted inside it.
    token = special = 0;
  }
  c.longest_token = std::max(c.longest_token, token);
  c.longest_special = std::max(c.longest_special, special);
  if (quote != 0) c.in_string += n - quote_at;
  c.letter_pairs = letter_pairs;
  c.flips = flips;
  c.list_numbers = list_numbers;
  c.newlines = newlines;
  return Finish(n, c, ClassCounts{letters, upper_count, digits, spaces, puncts});
}

bool CpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt") &&
         __builtin_cpu_supports("abm");
}

#endif  // SBSCAN_OBF_X86

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

ObfuscationFeatures ComputeObfuscationFeaturesAvx2(std::string_view text,
                                                   EntropyPass pass) {
#ifdef SBSCAN_OBF_X86
  static const bool avx2 = CpuHasAvx2();
  if (avx2 && !text.empty()) {
    ObfuscationFeatures f = ComputeAvx2Impl(text);
    if (pass == EntropyPass::kWithEntropy) f.entropy = ByteEntropy(text);
    return f;
  }
#endif
  return ComputeObfuscationFeaturesScalar(text, pass);
}

double ByteEntropy(std::string_view text) {
  if (text.empty()) return 0;
  uint32_t hist[256];
  CountBytes(reinterpret_cast<const uint8_t*>(text.data()), text.size(), hist);
  return EntropyOf(hist, text.size());
}

bool ObfuscationFeaturesUseAvx2() {
#ifdef SBSCAN_OBF_X86
  static const bool avx2 = CpuHasAvx2();
  return avx2;
#else
  return false;
#endif
}

ObfuscationFeatures ComputeObfuscationFeatures(std::string_view text,
                                               EntropyPass pass) {
  return ComputeObfuscationFeaturesAvx2(text, pass);
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
