#include "signatures/regex_relax.h"

#include <string>

#include <gtest/gtest.h>
#include <re2/re2.h>

namespace sbscan::signatures {
namespace {

std::string Relax(const std::string& re) { return RelaxCountedRepeats(re).value_or("(unchanged)"); }

TEST(RegexRelaxTest, LargeCountsBecomeStarOrPlus) {
  EXPECT_EQ(Relax(R"(\biex\b[^\r\n]{0,300}FromBase64String)"), R"(\biex\b[^\r\n]*FromBase64String)");
  EXPECT_EQ(Relax(R"([A-Za-z0-9+/=]{20,})"), R"([A-Za-z0-9+/=]+)");
  EXPECT_EQ(Relax(R"(a{100})"), R"(a+)");
  EXPECT_EQ(Relax(R"((ab){0,40}?c)"), R"((ab)*?c)");
  EXPECT_EQ(Relax(R"(x{0,9}y{1,200})"), R"(x*y+)");
}

TEST(RegexRelaxTest, SmallCountsAndNonQuantifiersStay) {
  EXPECT_EQ(Relax(R"([0-9a-f]{2}-{1,8}x{2,})"), "(unchanged)");
  EXPECT_EQ(Relax(R"(\{0,300\})"), "(unchanged)");        // escaped braces
  EXPECT_EQ(Relax(R"([{0,300}]+)"), "(unchanged)");       // braces in a class
  EXPECT_EQ(Relax(R"([]{0,300}]x)"), "(unchanged)");      // leading ] is a member
  EXPECT_EQ(Relax(R"([[:alpha:]{]{0,8})"), "(unchanged)");
  EXPECT_EQ(Relax(R"([[:alpha:]{]{0,9})"), R"([[:alpha:]{]*)");
  EXPECT_EQ(Relax(R"(\Qa{0,300}\E)"), "(unchanged)");     // quoted
  EXPECT_EQ(Relax(R"({0,300}a)"), "(unchanged)");         // nothing to repeat: a literal
  EXPECT_EQ(Relax(R"((|{0,300}))"), "(unchanged)");
  EXPECT_EQ(Relax(R"(a{x,300})"), "(unchanged)");
  EXPECT_EQ(Relax(""), "(unchanged)");
}

TEST(RegexRelaxTest, ClassThenCount) {
  EXPECT_EQ(Relax(R"([\]x]{0,50}y)"), R"([\]x]*y)");
  EXPECT_EQ(Relax(R"(\d{10,20})"), R"(\d+)");
}

// The relaxed regex accepts everything the original does (and is valid RE2).
TEST(RegexRelaxTest, RelaxedIsASuperset) {
  const std::string regexes[] = {
      R"(\b(iex|invoke-expression)\b[^\r\n]{0,30}(\r?\n[^\r\n]{0,30})?(FromBase64String|GetString\s*\())",
      R"(\bprocdump(64)?(\.exe)?\s[^\r\n]{0,80}-ma\s[^\r\n]{0,40}\blsass)",
      R"((?s)param\s*\(.{0,300}\)\s*begin)",
  };
  const std::string texts[] = {
      "iex ([Text.Encoding]::UTF8.GetString(",
      "IEX x\nFromBase64String",
      "procdump64.exe -accepteula -ma lsass.exe out.dmp",
      "procdump -ma lsass",
      "param(\n$a\n) begin",
  };
  for (const std::string& re : regexes) {
    std::optional<std::string> relaxed = RelaxCountedRepeats(re);
    ASSERT_TRUE(relaxed.has_value()) << re;
    RE2::Options o;
    o.set_case_sensitive(false);
    RE2 exact(re, o), loose(*relaxed, o);
    ASSERT_TRUE(loose.ok()) << *relaxed;
    for (const std::string& t : texts) {
      if (RE2::PartialMatch(t, exact)) {
        EXPECT_TRUE(RE2::PartialMatch(t, loose)) << re << " on " << t;
      }
    }
  }
}

}  // namespace
}  // namespace sbscan::signatures
