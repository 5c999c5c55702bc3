#include "decoders/outcome.h"

#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

TEST(OutcomeTest, Names) {
  EXPECT_EQ(OutcomeName(Outcome::kNotApplicable), "not_applicable");
  EXPECT_EQ(OutcomeName(Outcome::kDecoded), "decoded");
  EXPECT_EQ(OutcomeName(Outcome::kLimitReached), "limit_reached");
  EXPECT_EQ(OutcomeName(Outcome::kMalformed), "malformed");
  EXPECT_EQ(OutcomeName(static_cast<Outcome>(200)), "unknown");
}

}  // namespace
}  // namespace sbscan::decoders
