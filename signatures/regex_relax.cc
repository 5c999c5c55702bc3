#include "signatures/regex_relax.h"

#include <cstddef>

namespace sbscan::signatures {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses a quantifier {m}, {m,} or {m,n} at regex[i] (a '{'). On success sets *end past the
// '}' and *min / *max (max = -1 when unbounded). Numbers saturate (RE2 limits them to 1000).
bool ParseRepeat(std::string_view regex, size_t i, size_t* end, long* min, long* max) {
  size_t j = i + 1;
  auto number = [&](long* out) {
    const size_t start = j;
    long v = 0;
    while (j < regex.size() && IsDigit(regex[j])) {
      v = v < 100000 ? v * 10 + (regex[j] - '0') : v;
      ++j;
    }
    *out = v;
    return j > start;
  };
  if (!number(min)) return false;
  *max = *min;
  if (j < regex.size() && regex[j] == ',') {
    ++j;
    if (!number(max)) *max = -1;
  }
  if (j >= regex.size() || regex[j] != '}') return false;
  *end = j + 1;
  return true;
}

// Index past the character class that starts at regex[i] (a '['); regex.size() if unclosed.
size_t SkipClass(std::string_view regex, size_t i) {
  size_t j = i + 1;
  if (j < regex.size() && regex[j] == '^') ++j;
  if (j < regex.size() && regex[j] == ']') ++j;  // a leading ] is a member
  while (j < regex.size() && regex[j] != ']') {
    if (regex[j] == '\\') ++j;
    if (j < regex.size() && regex[j] == '[' && j + 1 < regex.size() && regex[j + 1] == ':') {
      const size_t close = regex.find(":]", j + 2);  // [:alpha:]
      if (close != std::string_view::npos) j = close + 1;
    }
    ++j;
  }
  return j < regex.size() ? j + 1 : regex.size();
}

}  // namespace

std::optional<std::string> RelaxCountedRepeats(std::string_view regex) {
  std::string out;
  out.reserve(regex.size());
  bool changed = false;
  bool after_atom = false;  // a quantifier may follow (not at the start, after ( or |)
  for (size_t i = 0; i < regex.size();) {
    const char c = regex[i];
    if (c == '\\') {
      const size_t n = i + 1 < regex.size() ? 2 : 1;
      // \Q...\E quotes everything up to \E.
      if (n == 2 && regex[i + 1] == 'Q') {
        const size_t e = regex.find("\\E", i + 2);
        const size_t stop = e == std::string_view::npos ? regex.size() : e + 2;
        out.append(regex.substr(i, stop - i));
        i = stop;
      } else {
        out.append(regex.substr(i, n));
        i += n;
      }
      after_atom = true;
      continue;
    }
    if (c == '[') {
      const size_t stop = SkipClass(regex, i);
      out.append(regex.substr(i, stop - i));
      i = stop;
      after_atom = true;
      continue;
    }
    size_t end = 0;
    long min = 0, max = 0;
    if (c == '{' && after_atom && ParseRepeat(regex, i, &end, &min, &max)) {
      if (min > kRelaxRepeatAbove || max > kRelaxRepeatAbove) {
        out.push_back(min == 0 ? '*' : '+');
        changed = true;
      } else {
        out.append(regex.substr(i, end - i));
      }
      i = end;
      if (i < regex.size() && regex[i] == '?') out.push_back(regex[i++]);  // lazy
      after_atom = false;
      continue;
    }
    out.push_back(c);
    after_atom = !(c == '(' || c == '|');
    ++i;
  }
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace sbscan::signatures
