#include "decoders/xor.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <utility>

#include "decoders/ascii.h"
#include "decoders/powershell_score.h"

namespace sbscan::decoders {
namespace {

inline bool StartsWithNoCase(std::string_view s, size_t i,
                             std::string_view lower) {
  if (i + lower.size() > s.size()) return false;
  for (size_t k = 0; k < lower.size(); ++k) {
    if (Lower(s[i + k]) != lower[k]) return false;
  }
  return true;
}
size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// Parses a decimal or 0x number at `i`; the token must end at a non-word
// character. Sets *end past it.
bool ParseNumber(std::string_view s, size_t i, uint32_t* value, size_t* end) {
  if (i >= s.size() || !IsDigit(s[i])) return false;
  uint64_t v = 0;
  size_t j = i;
  if (s[i] == '0' && i + 1 < s.size() && Lower(s[i + 1]) == 'x') {
    j = i + 2;
    size_t digits = 0;
    while (j < s.size() && HexValue(s[j]) >= 0 && digits < 9) {
      v = v * 16 + HexValue(s[j]);
      ++j;
      ++digits;
    }
    if (digits == 0 || digits > 8) return false;
  } else {
    size_t digits = 0;
    while (j < s.size() && IsDigit(s[j]) && digits < 11) {
      v = v * 10 + (s[j] - '0');
      ++j;
      ++digits;
    }
    if (digits > 10 || v > 0xFFFFFFFFu) return false;
  }
  if (j < s.size() && (IsWordChar(s[j]) || s[j] == '.')) return false;
  *value = static_cast<uint32_t>(v);
  *end = j;
  return true;
}

// Skips type casts such as [byte], [byte[]], [System.Text.Encoding]; sets
// *has_encoding when a cast names an Encoding. Returns the new position.
size_t SkipCasts(std::string_view s, size_t i, bool* has_encoding) {
  for (;;) {
    i = SkipSpace(s, i);
    if (i >= s.size() || s[i] != '[') return i;
    size_t depth = 0;
    size_t j = i;
    for (; j < s.size() && j < i + 96; ++j) {
      if (s[j] == '[') ++depth;
      if (s[j] == ']' && --depth == 0) break;
    }
    if (j >= s.size() || depth != 0) return i;
    for (size_t k = i; k + 8 <= j; ++k) {
      if (StartsWithNoCase(s, k, "encoding")) *has_encoding = true;
    }
    i = j + 1;
  }
}

// Parses a comma-separated list of numbers 0..255 at `i` (whitespace
// allowed). Returns the count parsed (0 when none).
size_t ParseByteList(std::string_view s, size_t i, std::string* bytes,
                     size_t* end) {
  size_t count = 0;
  size_t j = i;
  for (;;) {
    j = SkipSpace(s, j);
    uint32_t v;
    size_t e;
    if (!ParseNumber(s, j, &v, &e) || v > 255) break;
    if (bytes->size() < kMaxXorKeyBytes + 1) bytes->push_back(char(v));
    ++count;
    *end = e;
    j = SkipSpace(s, e);
    if (j < s.size() && s[j] == ',') {
      ++j;
      continue;
    }
    break;
  }
  return count;
}

// A quoted string at `i` ('...' or "..."); sets content and end.
bool ParseQuoted(std::string_view s, size_t i, std::string_view* content,
                 size_t* end) {
  if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) return false;
  const char q = s[i];
  const size_t close = s.find(q, i + 1);
  if (close == std::string_view::npos || close - i - 1 > kMaxXorKeyBytes) {
    return false;
  }
  *content = s.substr(i + 1, close - i - 1);
  *end = close + 1;
  return true;
}

struct KeyValue {
  std::string key;
  size_t begin = 0, end = 0;
  XorKeySource source = XorKeySource::kLiteral;
};

// Parses a key value (the operand of -bxor, or the right side of an
// assignment) at `i`.
bool ParseKeyValue(std::string_view s, size_t i, KeyValue* kv) {
  bool has_encoding = false;
  i = SkipSpace(s, i);
  // Parentheses and @( around the value.
  for (int k = 0; k < 3 && i < s.size(); ++k) {
    i = SkipCasts(s, i, &has_encoding);
    if (i < s.size() && s[i] == '@' && i + 1 < s.size() && s[i + 1] == '(') {
      i += 2;
    } else if (i < s.size() && s[i] == '(') {
      ++i;
    } else {
      break;
    }
  }
  i = SkipCasts(s, i, &has_encoding);
  if (i >= s.size()) return false;
  // [Text.Encoding]::ASCII.GetBytes('key')
  if (s[i] == ':' || has_encoding) {
    const size_t limit = std::min(s.size(), i + 48);
    for (size_t k = i; k + 9 <= limit; ++k) {
      if (StartsWithNoCase(s, k, "getbytes(")) {
        size_t q = SkipSpace(s, k + 9);
        std::string_view content;
        size_t e;
        if (!ParseQuoted(s, q, &content, &e) || content.empty()) return false;
        kv->key.assign(content);
        kv->begin = q + 1;
        kv->end = e - 1;
        kv->source = XorKeySource::kGetBytes;
        return true;
      }
    }
    return false;
  }
  std::string_view content;
  size_t e;
  if (ParseQuoted(s, i, &content, &e)) {
    uint32_t v;
    size_t ne;
    if (ParseNumber(content, 0, &v, &ne) && ne == content.size()) {
      if (v > 255) return false;
      kv->key.assign(1, char(v));
      kv->source = XorKeySource::kLiteral;
    } else {
      if (content.empty()) return false;
      kv->key.assign(content);
      kv->source = XorKeySource::kGetBytes;
    }
    kv->begin = i + 1;
    kv->end = e - 1;
    return true;
  }
  std::string bytes;
  size_t end = i;
  const size_t n = ParseByteList(s, i, &bytes, &end);
  if (n == 0 || n > kMaxXorKeyBytes) return false;
  kv->key = std::move(bytes);
  kv->begin = i;
  kv->end = end;
  kv->source = n == 1 ? XorKeySource::kLiteral : XorKeySource::kByteArray;
  return true;
}

// Finds the assignment "$name = value" closest before `before` (else the
// first after it) and parses its value.
bool ResolveVariable(std::string_view s, std::string_view name, size_t before,
                     KeyValue* kv) {
  if (name.empty() || name == "_") return false;
  bool found = false;
  size_t pos = 0;
  while (pos < s.size()) {
    const void* hit = std::memchr(s.data() + pos, '$', s.size() - pos);
    if (hit == nullptr) break;
    const size_t d = static_cast<const char*>(hit) - s.data();
    pos = d + 1;
    size_t j = d + 1;
    if (j + name.size() > s.size()) break;
    bool same = true;
    for (size_t k = 0; k < name.size(); ++k) {
      if (Lower(s[j + k]) != Lower(name[k])) {
        same = false;
        break;
      }
    }
    if (!same) continue;
    j += name.size();
    if (j < s.size() && IsWordChar(s[j])) continue;
    j = SkipSpace(s, j);
    if (j >= s.size() || s[j] != '=' ||
        (j + 1 < s.size() && s[j + 1] == '=')) {
      continue;
    }
    KeyValue candidate;
    if (!ParseKeyValue(s, j + 1, &candidate)) continue;
    if (d < before || !found) {
      *kv = std::move(candidate);
      found = true;
    }
    if (d >= before) break;
  }
  return found;
}

// Reads "$name" at `i`; returns the name (empty if none) and sets *end.
std::string_view ReadVariable(std::string_view s, size_t i, size_t* end) {
  if (i >= s.size() || s[i] != '$') return {};
  size_t j = i + 1;
  if (j < s.size() && s[j] == '{') {
    const size_t close = s.find('}', j);
    if (close == std::string_view::npos || close - j > 64) return {};
    *end = close + 1;
    return s.substr(j + 1, close - j - 1);
  }
  while (j < s.size() && IsWordChar(s[j])) ++j;
  *end = j;
  return s.substr(i + 1, j - i - 1);
}

// The right operand of -bxor at `i`.
bool RightOperand(std::string_view s, size_t i, size_t bxor, KeyValue* kv) {
  bool has_encoding = false;
  for (int k = 0; k < 4; ++k) {
    i = SkipSpace(s, i);
    i = SkipCasts(s, i, &has_encoding);
    if (i < s.size() && s[i] == '(') {
      ++i;
    } else {
      break;
    }
  }
  if (i >= s.size()) return false;
  if (s[i] == '$') {
    size_t end;
    const std::string_view name = ReadVariable(s, i, &end);
    if (!ResolveVariable(s, name, bxor, kv)) return false;
    if (kv->source == XorKeySource::kLiteral && kv->key.size() == 1) {
      kv->source = XorKeySource::kVariable;
    }
    return true;
  }
  return ParseKeyValue(s, i, kv) && kv->key.size() == 1;
}

// The left operand of -bxor ending before `bxor`.
bool LeftOperand(std::string_view s, size_t bxor, KeyValue* kv) {
  size_t j = bxor;
  while (j > 0 && IsSpace(s[j - 1])) --j;
  while (j > 0 && (s[j - 1] == '\'' || s[j - 1] == '"' || s[j - 1] == ')')) {
    --j;
  }
  if (j == 0) return false;
  if (s[j - 1] == ']') {  // $key[$i % $key.Length]
    size_t depth = 0;
    size_t k = j;
    while (k > 0 && j - k < 96) {
      --k;
      if (s[k] == ']') ++depth;
      if (s[k] == '[' && --depth == 0) break;
    }
    if (depth != 0) return false;
    j = k;
  }
  size_t k = j;
  while (k > 0 && IsWordChar(s[k - 1])) --k;
  if (k == j) return false;
  if (k > 0 && s[k - 1] == '$') {
    const std::string_view name = s.substr(k, j - k);
    if (!ResolveVariable(s, name, bxor, kv)) return false;
    if (kv->source == XorKeySource::kLiteral && kv->key.size() == 1) {
      kv->source = XorKeySource::kVariable;
    }
    return true;
  }
  uint32_t v;
  size_t e;
  if (ParseNumber(s, k, &v, &e) && e == j && v <= 255) {
    kv->key.assign(1, char(v));
    kv->begin = k;
    kv->end = j;
    kv->source = XorKeySource::kLiteral;
    return true;
  }
  return false;
}

// Text-likeness weights of a decoded byte, for per-column key choice.
constexpr std::array<int8_t, 256> MakeWeights() {
  std::array<int8_t, 256> w{};
  for (int c = 0; c < 256; ++c) w[c] = c >= 0x80 ? -4 : -8;
  for (int c = 0x21; c <= 0x7E; ++c) w[c] = 0;
  for (int c = 'a'; c <= 'z'; ++c) w[c] = 3;
  for (int c = 'A'; c <= 'Z'; ++c) w[c] = 2;
  for (int c = '0'; c <= '9'; ++c) w[c] = 1;
  for (char c : std::string_view("$-(){}[]'\".;|=,:+")) w[uint8_t(c)] = 1;
  w[' '] = 4;
  w['\r'] = w['\n'] = w['\t'] = 1;
  w[0] = 1;
  return w;
}
constexpr std::array<int8_t, 256> kWeight = MakeWeights();

// Plain-text characters that are most often the most frequent byte of a
// column of PowerShell (UTF-8 or UTF-16LE).
constexpr std::string_view kFrequentPlain(" etaoinsrlcdhupm$-'(.\"\0", 23);

constexpr size_t kSingleByteScored = 4;

inline bool IsTextByte(int c) {
  return (c >= 0x20 && c <= 0x7E) || c == '\t' || c == '\r' || c == '\n';
}

double ScoreXored(std::string_view sample, std::string_view key,
                  std::string* scratch) {
  scratch->clear();
  ApplyXor(sample, key, sample.size(), scratch);
  return PowerShellScore(*scratch);
}

bool IsPeriodic(std::string_view key) {
  for (size_t p = 1; p < key.size(); ++p) {
    if (key.size() % p != 0) continue;
    bool periodic = true;
    for (size_t i = p; i < key.size() && periodic; ++i) {
      periodic = key[i] == key[i - p];
    }
    if (periodic) return true;
  }
  return false;
}

}  // namespace

std::string_view XorKeySourceName(XorKeySource source) {
  switch (source) {
    case XorKeySource::kLiteral:
      return "literal";
    case XorKeySource::kVariable:
      return "variable";
    case XorKeySource::kByteArray:
      return "byte_array";
    case XorKeySource::kGetBytes:
      return "get_bytes";
  }
  return "unknown";
}

size_t FindXorKeys(std::string_view text, size_t max_keys,
                   std::vector<XorKeyHit>* out) {
  size_t added = 0;
  size_t pos = 0;
  while (added < max_keys && pos + 5 <= text.size()) {
    const void* hit = std::memchr(text.data() + pos, '-', text.size() - pos);
    if (hit == nullptr) break;
    const size_t d = static_cast<const char*>(hit) - text.data();
    pos = d + 1;
    if (!StartsWithNoCase(text, d + 1, "bxor")) continue;
    if (d + 5 < text.size() && IsWordChar(text[d + 5])) continue;
    KeyValue kv;
    if (!RightOperand(text, d + 5, d, &kv) && !LeftOperand(text, d, &kv)) {
      continue;
    }
    if (kv.key.empty() || kv.key.size() > kMaxXorKeyBytes) continue;
    out->push_back(XorKeyHit{std::move(kv.key), d, kv.begin, kv.end,
                             kv.source});
    ++added;
    pos = d + 5;
  }
  return added;
}

Outcome ApplyXor(std::string_view bytes, std::string_view key, size_t max_out,
                 std::string* out) {
  if (key.empty() || bytes.empty()) return Outcome::kNotApplicable;
  const size_t n = std::min(bytes.size(), max_out);
  const size_t base = out->size();
  out->resize(base + n);
  char* dst = out->data() + base;
  const size_t k = key.size();
  if (k == 1) {
    const char c = key[0];
    for (size_t i = 0; i < n; ++i) dst[i] = static_cast<char>(bytes[i] ^ c);
  } else {
    size_t j = 0;
    for (size_t i = 0; i < n; ++i) {
      dst[i] = static_cast<char>(bytes[i] ^ key[j]);
      if (++j == k) j = 0;
    }
  }
  return n < bytes.size() ? Outcome::kLimitReached : Outcome::kDecoded;
}

bool RecoverXorKey(std::string_view bytes, const XorRecoveryOptions& options,
                   XorRecovery* result) {
  if (bytes.size() < std::max<size_t>(options.min_bytes, 8)) return false;
  const std::string_view sample =
      bytes.substr(0, std::max<size_t>(options.sample_bytes, 64));
  if (PowerShellScore(sample) >= options.min_score) return false;

  std::string scratch;
  std::string best_key;
  double best = -1;
  const auto consider = [&](std::string_view key) {
    const double s = ScoreXored(sample, key, &scratch);
    if (s > best + 1e-9) {  // strictly better: shorter keys win ties
      best = s;
      best_key.assign(key);
    }
  };

  // Single byte: text ratio for all keys from one histogram.
  std::array<uint32_t, 256> hist{};
  std::vector<std::pair<int64_t, int>> single;
  for (char c : sample) ++hist[uint8_t(c)];
  std::array<uint8_t, 256> present;
  size_t distinct_bytes = 0;
  for (int b = 0; b < 256; ++b) {
    if (hist[b] != 0) present[distinct_bytes++] = static_cast<uint8_t>(b);
  }
  for (int k = 1; k < 256; ++k) {
    uint64_t text = 0;
    uint64_t printable = 0;
    for (size_t t = 0; t < distinct_bytes; ++t) {
      const int b = present[t];
      const int d = b ^ k;
      if (IsTextByte(d)) {
        text += hist[b];
        printable += hist[b];
      } else if (d == 0) {
        text += hist[b];
      }
    }
    if (text * 100 >= sample.size() * 85 &&
        printable * 100 >= sample.size() * 40) {
      int64_t w = 0;
      for (int b = 0; b < 256; ++b) {
        if (hist[b] != 0) w += int64_t(hist[b]) * kWeight[b ^ k];
      }
      single.push_back({w, k});
    }
  }
  // Case flips (k ^ 0x20) and similar keys also give mostly text: score
  // only the few best by letter/space frequency.
  std::sort(single.begin(), single.end(), std::greater<>());
  if (single.size() > kSingleByteScored) single.resize(kSingleByteScored);
  for (const auto& [w, k] : single) {
    const char key = static_cast<char>(k);
    consider(std::string_view(&key, 1));
  }

  // Repeating keys: per-column frequency analysis.
  const size_t max_len =
      std::min<size_t>({options.max_key_length, 16, sample.size() / 16});
  std::string key;
  std::string utf16_key;
  for (size_t len = 2; len <= max_len; ++len) {
    key.assign(len, '\0');
    utf16_key.assign(len, '\0');
    bool has_constant_column = false;
    bool column_ok = true;
    for (size_t col = 0; col < len && column_ok; ++col) {
      hist.fill(0);
      size_t count = 0;
      for (size_t i = col; i < sample.size(); i += len) {
        ++hist[uint8_t(sample[i])];
        ++count;
      }
      size_t distinct = 0;
      for (int b = 0; b < 256; ++b) {
        if (hist[b] != 0) present[distinct++] = static_cast<uint8_t>(b);
      }
      // Candidate key bytes: those that map one of the two most frequent
      // bytes of the column to a frequent plain-text character.
      size_t top1 = 0, top2 = 0;
      for (size_t t = 0; t < distinct; ++t) {
        const uint8_t b = present[t];
        if (hist[b] > hist[top1] || top1 == top2) {
          top2 = top1;
          top1 = b;
        } else if (hist[b] > hist[top2] || top2 == top1) {
          top2 = b;
        }
      }
      int best_k = 0;
      int64_t best_w = INT64_MIN;
      for (size_t cand = 0; cand < 2 * kFrequentPlain.size(); ++cand) {
        const int k = (cand < kFrequentPlain.size() ? top1 : top2) ^
                      uint8_t(kFrequentPlain[cand % kFrequentPlain.size()]);
        int64_t w = 0;
        for (size_t t = 0; t < distinct; ++t) {
          const uint8_t b = present[t];
          w += int64_t(hist[b]) * kWeight[b ^ k];
        }
        if (w > best_w) {
          best_w = w;
          best_k = k;
        }
      }
      if (best_w < 0) {  // no key makes this column text
        column_ok = false;
        break;
      }
      key[col] = static_cast<char>(best_k);
      utf16_key[col] = static_cast<char>(best_k);
      const auto top = std::max_element(hist.begin(), hist.end());
      if (*top * 10 >= count * 9) {  // one byte >= 90%: a NUL column?
        utf16_key[col] = static_cast<char>(top - hist.begin());
        has_constant_column = true;
      }
    }
    if (!column_ok) continue;
    if (!IsPeriodic(key)) consider(key);
    if (has_constant_column && utf16_key != key && !IsPeriodic(utf16_key)) {
      consider(utf16_key);
    }
  }
  if (best < options.min_score || best_key.empty()) return false;
  if (best_key.find_first_not_of('\0') == std::string::npos) return false;
  result->key = std::move(best_key);
  result->score = best;
  return true;
}

}  // namespace sbscan::decoders
