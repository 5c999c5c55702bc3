#include "signatures/condition.h"

#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sbscan::signatures {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kNames = {"sel_a", "sel_b", "sel_c", "filter", "x"};

Condition MustParse(const std::string& text) {
  auto c = Condition::Parse(text, kNames);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status();
  return c.ok() ? *std::move(c) : Condition();
}

// Evaluates `text` on a hit set given as a bit mask over kNames.
bool Eval(const std::string& text, unsigned mask) {
  Condition c = MustParse(text);
  std::vector<uint8_t> hits(kNames.size());
  for (size_t i = 0; i < hits.size(); ++i) hits[i] = (mask >> i) & 1;
  return c.Evaluate(hits);
}

TEST(ConditionTest, Forms) {
  EXPECT_TRUE(Eval("sel_a", 1));
  EXPECT_FALSE(Eval("sel_a", 2));
  EXPECT_TRUE(Eval("sel_a and sel_b", 3));
  EXPECT_FALSE(Eval("sel_a and sel_b", 1));
  EXPECT_TRUE(Eval("sel_a or sel_b", 2));
  EXPECT_FALSE(Eval("sel_a or sel_b", 4));
  EXPECT_TRUE(Eval("not filter", 0));
  EXPECT_FALSE(Eval("not filter", 8));
  EXPECT_TRUE(Eval("(sel_a or sel_b) and not filter", 2));
  EXPECT_FALSE(Eval("(sel_a or sel_b) and not filter", 10));
  EXPECT_TRUE(Eval("1 of sel_*", 4));
  EXPECT_FALSE(Eval("1 of sel_*", 8));
  EXPECT_TRUE(Eval("all of sel_*", 7));
  EXPECT_FALSE(Eval("all of sel_*", 3));
  EXPECT_TRUE(Eval("2 of sel_*", 5));
  EXPECT_FALSE(Eval("2 of sel_*", 9));
  EXPECT_TRUE(Eval("1 of them", 16));
  EXPECT_FALSE(Eval("1 of them", 0));
  EXPECT_TRUE(Eval("all of them", 31));
  EXPECT_FALSE(Eval("all of them", 15));
  EXPECT_TRUE(Eval("1 of x", 16));
  EXPECT_TRUE(Eval("1 of * and not filter", 1));
  EXPECT_TRUE(Eval("NOT filter AND sel_a", 1));  // keywords are case-insensitive
  EXPECT_TRUE(Eval("not not sel_a", 1));
  EXPECT_TRUE(Eval("((((sel_a))))", 1));
}

TEST(ConditionTest, Precedence) {
  // not > and > or
  EXPECT_EQ(MustParse("sel_a or sel_b and sel_c").DebugString(), "(p0 or (p1 and p2))");
  EXPECT_EQ(MustParse("sel_a and sel_b or sel_c").DebugString(), "((p0 and p1) or p2)");
  EXPECT_EQ(MustParse("not sel_a and sel_b").DebugString(), "(not p0 and p1)");
  EXPECT_EQ(MustParse("not (sel_a and sel_b)").DebugString(), "not (p0 and p1)");
  EXPECT_EQ(MustParse("1 of sel_* and not filter").DebugString(), "(1 of [p0,p1,p2] and not p3)");
  EXPECT_TRUE(Eval("sel_a or sel_b and sel_c", 1));
  EXPECT_FALSE(Eval("(sel_a or sel_b) and sel_c", 1));
  // Exhaustive check against C++ semantics of one mixed expression.
  for (unsigned m = 0; m < 32; ++m) {
    bool a = m & 1, b = m & 2, c = m & 4, f = m & 8, x = m & 16;
    EXPECT_EQ(Eval("not sel_a and sel_b or sel_c and not filter or x and sel_a", m),
              (!a && b) || (c && !f) || (x && a))
        << m;
  }
}

struct Bad {
  const char* text;
  const char* message;
};

class ConditionErrorTest : public ::testing::TestWithParam<Bad> {};

TEST_P(ConditionErrorTest, Rejected) {
  auto c = Condition::Parse(GetParam().text, kNames);
  ASSERT_FALSE(c.ok()) << GetParam().text;
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ConditionErrorTest,
    ::testing::Values(Bad{"nosuch", "unknown pattern name 'nosuch' at column 1"},
                      Bad{"sel_a and", "expected a pattern name"},
                      Bad{"sel_a sel_b", "unexpected 'sel_b' at column 7"},
                      Bad{"(sel_a", "expected ')' but found end of condition"},
                      Bad{"sel_a)", "unexpected ')'"},
                      Bad{"1 of zz*", "quantifier selects no pattern: 'zz*'"},
                      Bad{"4 of sel_*", "can never be true"},
                      Bad{"0 of them", "number >= 1"},
                      Bad{"1 sel_a", "expected 'of'"},
                      Bad{"sel_*", "needs a quantifier"},
                      Bad{"sel_a & sel_b", "unexpected character '&'"},
                      Bad{"", "expected a pattern name"},
                      Bad{"1 of nosuch", "quantifier selects no pattern"}));

TEST(ConditionTest, DeepNestingRejected) {
  std::string deep(200, '(');
  deep += "sel_a" + std::string(200, ')');
  EXPECT_FALSE(Condition::Parse(deep, kNames).ok());
  std::string nots;
  for (int i = 0; i < 500; ++i) nots += "not ";
  EXPECT_FALSE(Condition::Parse(nots + "sel_a", kNames).ok());
  // Long flat chains are fine.
  std::string chain = "sel_a";
  for (int i = 0; i < 1000; ++i) chain += " or sel_b and x";
  EXPECT_TRUE(Condition::Parse(chain, kNames).ok());
}

using Sets = std::vector<std::vector<uint32_t>>;

Sets Required(const std::string& text) { return MustParse(text).RequiredSets(64, 8); }

TEST(ConditionTest, RequiredSetsOfEachForm) {
  EXPECT_EQ(Required("sel_a"), (Sets{{0}}));
  EXPECT_EQ(Required("sel_a and sel_b"), (Sets{{0}, {1}}));
  EXPECT_EQ(Required("sel_a or sel_b"), (Sets{{0, 1}}));
  EXPECT_EQ(Required("(sel_a and sel_b) or sel_c"), (Sets{{0, 2}, {1, 2}}));
  EXPECT_EQ(Required("sel_a and not filter"), (Sets{{0}}));
  EXPECT_EQ(Required("not filter"), Sets{});
  EXPECT_EQ(Required("not filter or sel_a"), Sets{});  // holds with no hit
  EXPECT_EQ(Required("all of sel_*"), (Sets{{0}, {1}, {2}, {0, 1, 2}}));
  EXPECT_EQ(Required("2 of sel_*"), (Sets{{0, 1, 2}}));
  EXPECT_EQ(Required("1 of them"), (Sets{{0, 1, 2, 3, 4}}));
  EXPECT_EQ(Required("sel_a or sel_a"), (Sets{{0}}));  // unions are deduplicated
}

TEST(ConditionTest, RequiredSetsRespectTheirLimits) {
  Condition c = MustParse("1 of them");
  EXPECT_EQ(c.RequiredSets(64, 4), Sets{});  // the one set has 5 patterns
  EXPECT_EQ(MustParse("sel_a and sel_b and sel_c").RequiredSets(2, 8), (Sets{{0}, {1}}));
}

// Soundness on every hit set: whenever a condition holds, each required set has a hit. The
// conditions are random over kNames (and, or, not, quantifiers, nesting).
TEST(ConditionTest, RequiredSetsHoldOnEveryHitSet) {
  std::mt19937 rng(7);
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    const int pick = static_cast<int>(rng() % (depth > 3 ? 2 : 7));
    switch (pick) {
      case 0:
      case 1:
        return kNames[rng() % kNames.size()];
      case 2:
        return "(" + gen(depth + 1) + " and " + gen(depth + 1) + ")";
      case 3:
        return "(" + gen(depth + 1) + " or " + gen(depth + 1) + ")";
      case 4:
        return "not " + gen(depth + 1);
      case 5:
        return std::to_string(1 + rng() % 3) + " of sel_*";
      default:
        return "all of sel_*";
    }
  };
  size_t checked = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = gen(0);
    Condition c = MustParse(text);
    const Sets sets = c.RequiredSets(16, 4);
    for (unsigned mask = 0; mask < (1u << kNames.size()); ++mask) {
      std::vector<uint8_t> hits(kNames.size());
      for (size_t k = 0; k < hits.size(); ++k) hits[k] = (mask >> k) & 1;
      if (!c.Evaluate(hits)) continue;
      for (const std::vector<uint32_t>& set : sets) {
        bool any = false;
        for (uint32_t p : set) any = any || hits[p];
        ASSERT_TRUE(any) << text << " holds on mask " << mask << " without a hit in a set";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 10000u);
}

TEST(ConditionTest, PatternNames) {
  EXPECT_TRUE(IsValidPatternName("sel_1"));
  EXPECT_TRUE(IsValidPatternName("A9"));
  EXPECT_FALSE(IsValidPatternName(""));
  EXPECT_FALSE(IsValidPatternName("123"));
  EXPECT_FALSE(IsValidPatternName("a-b"));
  EXPECT_FALSE(IsValidPatternName("Them"));
  EXPECT_FALSE(IsValidPatternName("all"));
}

}  // namespace
}  // namespace sbscan::signatures
