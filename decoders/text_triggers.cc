#include "decoders/text_triggers.h"

#include <array>
#include <cstring>
#include <string_view>

#include "decoders/string_construction.h"

namespace sbscan::decoders {
namespace {

inline char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}

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

}  // namespace

uint32_t TextTriggersScalar(std::string_view text) {
  uint32_t f = 0;
  if (ContainsCi(text, "[char", 0)) f |= kTriggerCharCodes;
  if (MayNeedNormalization(text)) f |= kTriggerNormalize;
  if (MayHaveByteArray(text)) f |= kTriggerByteArray;
  if (ContainsCi(text, "bxor", 1)) f |= kTriggerXorKey;
  if (text.find("76492d1116743f04") != std::string_view::npos ||
      text.find("01000000d08c9ddf") != std::string_view::npos) {
    f |= kTriggerSecureString;
  }
  if (text.find("-----BEGIN CMS") != std::string_view::npos) f |= kTriggerCms;
  return f;
}

void ScanTextWith(CandidateScanPath path, std::string_view text,
                  size_t min_run, size_t max_candidates,
                  std::vector<Candidate>* out, uint32_t* triggers) {
  FindBase64CandidatesWith(path, text, min_run, max_candidates, out);
  *triggers = TextTriggersScalar(text);
}

void ScanText(std::string_view text, size_t min_run, size_t max_candidates,
              std::vector<Candidate>* out, uint32_t* triggers) {
  ScanTextWith(ActiveCandidateScanPath(), text, min_run, max_candidates, out,
               triggers);
}

}  // namespace sbscan::decoders
