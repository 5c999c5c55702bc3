// Debian's Abseil 20220623 is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), which does not convert from std::string_view. Av() bridges the two at call sites.
#ifndef SBSCAN_SIGNATURES_STRING_VIEW_COMPAT_H_
#define SBSCAN_SIGNATURES_STRING_VIEW_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace sbscan::signatures {

// Returns an absl::string_view of the same bytes (no copy; borrows `s`).
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_STRING_VIEW_COMPAT_H_
