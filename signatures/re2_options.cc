#include "signatures/re2_options.h"

#include <re2/filtered_re2.h>

namespace sbscan::signatures {

RE2::Options Re2Options(bool cased, int64_t max_mem) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_case_sensitive(cased);
  options.set_log_errors(false);
  options.set_never_capture(true);
  options.set_max_mem(max_mem);
  return options;
}

std::optional<std::vector<std::string>> RegexAtoms(const std::string& regex, bool cased,
                                                   int min_atom_length, int64_t max_mem) {
  re2::FilteredRE2 alone(min_atom_length);
  int id = -1;
  if (alone.Add(regex, Re2Options(cased, max_mem), &id) != RE2::NoError) return std::nullopt;
  std::vector<std::string> atoms;
  alone.Compile(&atoms);
  std::vector<int> unfiltered;
  alone.AllPotentials({}, &unfiltered);  // with no atom seen: exactly the unfiltered regexes
  if (!unfiltered.empty()) atoms.clear();
  return atoms;
}

int LiteralFactorLength(const std::string& regex, bool cased, int max_length, int64_t max_mem) {
  auto filtered = [&](int length) {
    std::optional<std::vector<std::string>> atoms = RegexAtoms(regex, cased, length, max_mem);
    return atoms.has_value() && !atoms->empty();
  };
  int low = 0, high = max_length;  // filtered(low) holds (or low = 0); find the largest such
  while (low < high) {
    const int mid = low + (high - low + 1) / 2;
    if (filtered(mid)) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return low;
}

}  // namespace sbscan::signatures
