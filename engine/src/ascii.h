// sbscan: ASCII helpers on std::string_view (Abseil 20220623 here has its own string_view type).
#ifndef SBSCAN_ENGINE_SRC_ASCII_H_
#define SBSCAN_ENGINE_SRC_ASCII_H_

#include <charconv>
#include <string_view>

namespace sbscan {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

inline bool ContainsIgnoreCaseAscii(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCaseAscii(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// Parses a whole decimal integer (optional leading '-'); false on anything else or overflow.
template <typename Int>
bool ParseDecimal(std::string_view s, Int* out) {
  Int v;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  *out = v;
  return true;
}

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_ASCII_H_
