#include "signatures/glob.h"

#include "absl/strings/ascii.h"

namespace sbscan::signatures {

bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  auto same = [ignore_case](char a, char b) {
    if (ignore_case) {
      return absl::ascii_tolower(static_cast<unsigned char>(a)) ==
             absl::ascii_tolower(static_cast<unsigned char>(b));
    }
    return a == b;
  };
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, resume = 0;  // last '*' seen and where its run ends
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;  // let the last '*' take one more byte
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace sbscan::signatures
