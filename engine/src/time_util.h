// sbscan: event time stamps.
#ifndef SBSCAN_ENGINE_SRC_TIME_UTIL_H_
#define SBSCAN_ENGINE_SRC_TIME_UTIL_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace sbscan {

// 100-nanosecond ticks since 1970-01-01T00:00:00Z (FILETIME resolution).
inline constexpr int64_t kTicksPerSecond = 10'000'000;

// Parses ISO 8601 date-times as the supported inputs write them: "2024-03-05T14:22:07.4521873Z",
// any number of fraction digits (extra digits past 7 are truncated), 'T' or ' ' between date and
// time, 'Z', "+01:00"/"-0500" offsets, or no zone (taken as UTC). nullopt if it is not one.
std::optional<int64_t> ParseTimeTicks(std::string_view text);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_TIME_UTIL_H_
