#include "signatures/glob.h"

#include <string>

#include "gtest/gtest.h"

namespace sbscan::signatures {
namespace {

TEST(GlobTest, LiteralsAndWildcards) {
  EXPECT_TRUE(GlobMatch("selection", "selection"));
  EXPECT_FALSE(GlobMatch("selection", "selection_x"));
  EXPECT_TRUE(GlobMatch("selection_*", "selection_x"));
  EXPECT_TRUE(GlobMatch("selection_*", "selection_"));
  EXPECT_FALSE(GlobMatch("selection_*", "selection"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_TRUE(GlobMatch("*_sel_*", "x_sel_y"));
  EXPECT_TRUE(GlobMatch("a*b*c", "a__b__b__c"));
  EXPECT_FALSE(GlobMatch("a*b*c", "a__b__b__"));
}

TEST(GlobTest, CaseFoldingOnlyWhenAsked) {
  EXPECT_FALSE(GlobMatch("Selection*", "selection_a"));
  EXPECT_TRUE(GlobMatch("Selection*", "selection_a", /*ignore_case=*/true));
  EXPECT_TRUE(GlobMatch("ATTACK.T1059*", "attack.t1059.001", true));
}

TEST(GlobTest, NoExponentialBacktracking) {
  // A recursive matcher takes ~2^30 steps here; the greedy one is quadratic at worst.
  std::string text(4000, 'a');
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(GlobMatch(pattern, text));
  EXPECT_TRUE(GlobMatch(pattern.substr(0, pattern.size() - 1), text));
}

}  // namespace
}  // namespace sbscan::signatures
