#include "decoders/obfuscation_score.h"

#include <algorithm>
#include <cmath>

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

}  // namespace

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

ObfuscationFeatures ComputeObfuscationFeatures(std::string_view text) {
  ObfuscationFeatures f;
  const size_t n = text.size();
  f.length = n;
  f.lines = 1;
  if (n == 0) return f;
  // Four interleaved histograms: repeated bytes do not wait on one counter.
  uint32_t hist4[4][256] = {};
  size_t flips = 0, letter_pairs = 0, ticks = 0, concat = 0, format = 0;
  size_t casts = 0, list_numbers = 0, in_string = 0;
  size_t token = 0, special_run = 0, longest_token = 0, longest_special = 0;
  char quote = 0;  // inside a literal opened by this quote
  size_t quote_at = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  uint8_t prev = kSpace;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = s[i];
    ++hist4[i & 3][b];
    const uint8_t k = kClass.c[b];
    const bool letter = k == kUpper || k == kLower;
    const bool prev_letter = prev == kUpper || prev == kLower;
    letter_pairs += letter & prev_letter;
    flips += (k == kUpper) & (prev == kLower);
    token = k == kSpace ? 0 : token + 1;
    longest_token = std::max(longest_token, token);
    special_run = k == kPunct ? special_run + 1 : 0;
    longest_special = std::max(longest_special, special_run);
    if (kRare.r[b]) {
      if (b == '\n') ++f.lines;
      if (quote != 0) {
        if (b == static_cast<uint8_t>(quote)) {
          in_string += i - quote_at + 1;
          quote = 0;
        }
      } else if (b == '\'' || b == '"') {
        quote = static_cast<char>(b);
        quote_at = i;
        // 'a'+'b': a quote, optional blanks, '+', optional blanks, then
        // this quote.
        size_t j = i;
        while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t')) --j;
        if (j > 0 && s[j - 1] == '+') {
          --j;
          while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t')) --j;
          if (j > 0 && (s[j - 1] == '\'' || s[j - 1] == '"')) ++concat;
        }
      }
      if (b == '`' && i > 0 && i + 1 < n && IsWord(prev) &&
          IsWord(kClass.c[s[i + 1]])) {
        ++ticks;
      }
      if (b == '{' && i + 2 < n && kClass.c[s[i + 1]] == kDigit &&
          (s[i + 2] == '}' || (kClass.c[s[i + 2]] == kDigit && i + 3 < n &&
                               s[i + 3] == '}'))) {
        ++format;
      }
      if (b == '[' && i + 5 < n && (s[i + 1] | 0x20) == 'c' &&
          (s[i + 2] | 0x20) == 'h' && (s[i + 3] | 0x20) == 'a' &&
          (s[i + 4] | 0x20) == 'r') {
        ++casts;
      }
      if (b == ',' && (prev == kDigit ||
                       (prev == kSpace && i >= 2 &&
                        kClass.c[s[i - 2]] == kDigit))) {
        ++list_numbers;
      }
    }
    prev = k;
  }
  if (quote != 0) in_string += n - quote_at;
  f.longest_token = longest_token;
  f.longest_special_run = longest_special;
  uint32_t hist[256];
  size_t cls[6] = {0, 0, 0, 0, 0, 0};
  for (int c = 0; c < 256; ++c) {
    hist[c] = hist4[0][c] + hist4[1][c] + hist4[2][c] + hist4[3][c];
    cls[kClass.c[c]] += hist[c];
  }
  const size_t letters = cls[kUpper] + cls[kLower];
  const size_t upper = cls[kUpper], digits = cls[kDigit];
  const size_t spaces = cls[kSpace], punct = cls[kPunct];
  const double dn = static_cast<double>(n);
  f.letter_ratio = letters / dn;
  f.digit_ratio = digits / dn;
  f.space_ratio = spaces / dn;
  f.special_ratio = punct / dn;
  f.upper_ratio = letters ? static_cast<double>(upper) / letters : 0;
  f.case_flip_ratio =
      letter_pairs ? static_cast<double>(flips) / letter_pairs : 0;
  double h = 0;
  for (uint32_t c : hist) {
    if (c == 0) continue;
    const double p = c / dn;
    h -= p * std::log2(p);
  }
  f.entropy = h;
  const double per_k = 1000.0 / dn;
  f.backtick_density = ticks * per_k;
  f.concat_density = concat * per_k;
  f.format_density = format * per_k;
  f.char_cast_density = casts * per_k;
  f.number_list_density = list_numbers * per_k;
  f.string_ratio = in_string / dn;
  return f;
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
