#include "signatures/re2_options.h"

#include <string>

#include <gtest/gtest.h>

namespace sbscan::signatures {
namespace {

constexpr int64_t kMem = 8 << 20;

TEST(Re2OptionsTest, OptionsMatchHyperscanBytes) {
  RE2 caseless("iex", Re2Options(/*cased=*/false, kMem));
  EXPECT_TRUE(RE2::PartialMatch("xIEXx", caseless));
  RE2 cased("iex", Re2Options(/*cased=*/true, kMem));
  EXPECT_FALSE(RE2::PartialMatch("IEX", cased));
  RE2 byte("a.b", Re2Options(false, kMem));
  EXPECT_TRUE(RE2::FullMatch("a\xe9" "b", byte));  // '.' is one byte (Latin-1)
}

TEST(Re2OptionsTest, RegexAtoms) {
  auto atoms = RegexAtoms("Invoke-(Expression|Mimikatz)", false, 3, kMem);
  ASSERT_TRUE(atoms.has_value());
  EXPECT_FALSE(atoms->empty());
  for (const std::string& a : *atoms) {
    for (char c : a) EXPECT_FALSE(c >= 'A' && c <= 'Z') << a;
  }
  // Unfiltered at 3 bytes: its only literal factor is one digit.
  auto none = RegexAtoms("[a-z]+\\d", false, 3, kMem);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(RegexAtoms("(?<=a)b", false, 3, kMem).has_value());  // RE2 rejects lookbehind
}

// AND keeps its longest factor, OR is as weak as its shortest branch.
TEST(Re2OptionsTest, LiteralFactorLength) {
  EXPECT_EQ(LiteralFactorLength("mimikatz", false, 16, kMem), 8);
  EXPECT_EQ(LiteralFactorLength("\\bOpenProcess\\b", false, 16, kMem), 11);
  EXPECT_EQ(LiteralFactorLength("(gps|Get-Process)\\s+lsass", false, 16, kMem), 5);
  // FilteredRE2 extends short branches with the small class after them: "ls " "ls\t"...
  EXPECT_EQ(LiteralFactorLength("(ls|dir|gci)\\s", false, 16, kMem), 3);
  EXPECT_EQ(LiteralFactorLength("(ls|dir|gci)\\b", false, 16, kMem), 2);
  EXPECT_EQ(LiteralFactorLength("averyveryverylongliteralfactor", false, 16, kMem), 16);
  EXPECT_EQ(LiteralFactorLength("[a-z]+\\d", false, 16, kMem), 1);  // a digit, at least
  EXPECT_EQ(LiteralFactorLength("[^\\n]{4}", false, 16, kMem), 0);
  EXPECT_EQ(LiteralFactorLength("(?<=a)bcdef", false, 16, kMem), 0);
}

}  // namespace
}  // namespace sbscan::signatures
