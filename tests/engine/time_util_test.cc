#include "engine/src/time_util.h"

#include <gtest/gtest.h>

namespace sbscan {
namespace {

TEST(TimeUtilTest, ParsesTheFormsInputsUse) {
  // 2024-03-05T14:22:07Z = 1709648527 s since the epoch.
  const int64_t base = int64_t{1709648527} * kTicksPerSecond;
  EXPECT_EQ(ParseTimeTicks("2024-03-05T14:22:07Z"), base);
  EXPECT_EQ(ParseTimeTicks("2024-03-05T14:22:07.4521873Z"), base + 4521873);
  EXPECT_EQ(ParseTimeTicks("2024-03-05T14:22:07.452Z"), base + 4520000);
  EXPECT_EQ(ParseTimeTicks("2024-03-05T14:22:07.452187300Z"), base + 4521873);
  EXPECT_EQ(ParseTimeTicks("2024-03-05 15:22:07+01:00"), base);
  EXPECT_EQ(ParseTimeTicks("2024-03-05T09:22:07-0500"), base);
  EXPECT_EQ(ParseTimeTicks("2024-03-05 14:22:07"), base);
  EXPECT_EQ(ParseTimeTicks("1970-01-01T00:00:00Z"), 0);
}

TEST(TimeUtilTest, RejectsWhatIsNotATime) {
  for (const char* bad : {"", "yesterday", "2024-13-05T14:22:07Z", "2024-03-05", "2024-03-05T14:22",
                          "2024-03-05T14:22:07.Z", "2024-03-05T14:22:07Zjunk"}) {
    EXPECT_FALSE(ParseTimeTicks(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sbscan
