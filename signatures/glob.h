// Shell-style wildcard matching for names: selection names in Sigma conditions (`selection_*`)
// and rule ids and tags in --include / --exclude.
#ifndef SBSCAN_SIGNATURES_GLOB_H_
#define SBSCAN_SIGNATURES_GLOB_H_

#include <string_view>

namespace sbscan::signatures {

// True when `text` matches `pattern` whole: `*` matches any run of bytes (empty included), `?`
// exactly one byte, every other byte itself (ASCII case-insensitively when `ignore_case`).
// O(|pattern| * |text|) in the worst case (greedy with one backtrack point, no recursion).
bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case = false);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_GLOB_H_
