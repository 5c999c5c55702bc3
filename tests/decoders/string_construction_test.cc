#include "decoders/string_construction.h"

#include <string>

#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

std::string Norm(std::string_view t, NormalizeInfo* info = nullptr,
                 Outcome* outcome = nullptr) {
  std::string out;
  NormalizeInfo local;
  const Outcome o = NormalizeStrings(t, 1 << 20, &out, info ? info : &local);
  if (outcome) *outcome = o;
  return o == Outcome::kNotApplicable ? std::string(t) : out;
}

TEST(StringConstructionTest, Concatenation) {
  NormalizeInfo info;
  EXPECT_EQ(Norm("& ('Inv'+'oke'+\"-Ex\"+'pression') $x", &info),
            "& (Invoke-Expression) $x");
  EXPECT_EQ(StringTransformNames(info.transforms), "concat");
  // Stops before a non-literal operand; arithmetic is not concatenation.
  EXPECT_EQ(Norm("$a = 'Down'+'load' + $b"), "$a = Download + $b");
  EXPECT_EQ(Norm("$n = 1 + 2"), "$n = 1 + 2");
  // $() inside double quotes is kept, not evaluated.
  EXPECT_EQ(Norm("$p = \"$($env:TEMP)\" + '\\a.exe'"), "$p = $($env:TEMP)\\a.exe");
  // '' inside single quotes.
  EXPECT_EQ(Norm("iex ('Write-Host ''a'''+' ;x')"), "iex (Write-Host 'a' ;x)");
}

TEST(StringConstructionTest, FormatOperator) {
  NormalizeInfo info;
  EXPECT_EQ(Norm("('{1}{0}' -f 'b','a')", &info), "(ab)");
  EXPECT_EQ(Norm("& (\"{0}{2}{1}\" -f 'I','X','E') $c"), "& (IEX) $c");
  EXPECT_EQ(Norm("\"{0}{{x}}\" -f 'a'"), "a{x}");
  EXPECT_EQ(Norm("'{0}{1}' -f 'a'"), "'{0}{1}' -f 'a'");  // index out of range
  EXPECT_EQ(Norm("(('{0}ht'+'tp{0}') -f [char]39)"), "('http')");
}

TEST(StringConstructionTest, ReplaceAndJoin) {
  EXPECT_EQ(Norm("(('IEX oH4x'+'oH4') -REpLacE ([cHaR]111+[cHaR]72+[cHaR]52),[cHaR]39)"),
            "(IEX 'x')");
  EXPECT_EQ(Norm("('aXbXc'.Replace('X','-'))"), "(a-b-c)");
  EXPECT_EQ(Norm("'abc' -creplace 'B','x'"), "abc");  // case-sensitive: no match
  EXPECT_EQ(Norm("'a.b' -replace '\\.','-'"), "a-b");
  EXPECT_EQ(Norm("'ab' -replace 'a+','x'"), "'ab' -replace 'a+','x'");  // regex
  EXPECT_EQ(Norm("-join ('I','E','X')"), "IEX");
  EXPECT_EQ(Norm("('I','E','X') -join ''"), "IEX");
  // Number lists are left to the char-code decoder.
  EXPECT_EQ(Norm("(73,69,88) -join ''"), "(73,69,88) -join ''");
}

TEST(StringConstructionTest, Backticks) {
  NormalizeInfo info;
  EXPECT_EQ(Norm("I`nv`o`K`E-`Ex`Pr`Ession $x", &info), "I`nvoKE-ExPrEssion $x");
  EXPECT_EQ(StringTransformNames(info.transforms), "backtick");
  EXPECT_EQ(Norm("N`e`w-Obj`e`ct Net.WebClient"), "N`ew-Obj`ect Net.WebClient");
  EXPECT_EQ(Norm("Write-Host \"a`tb\""), "Write-Host \"a`tb\"");  // unchanged
}

TEST(StringConstructionTest, Reversal) {
  NormalizeInfo info;
  const std::string r1 = Norm("$r = 'ztakimiM-ekovnI'; IEX (-join ($r[-1..-($r.Length)]))", &info);
  EXPECT_NE(r1.find("Invoke-Mimikatz"), std::string::npos) << r1;
  EXPECT_TRUE(info.transforms & kTransformReverse);
  // A second pass over the output does not reverse again.
  EXPECT_EQ(Norm(r1), r1);
  EXPECT_NE(Norm("$r = [char[]]'ztakimiM-ekovnI'; [Array]::Reverse($r); -join $r").find("Invoke-Mimikatz"), std::string::npos);
  EXPECT_NE(Norm("-join [regex]::Matches('ztakimiM-ekovnI','.','RightToLeft')").find("Invoke-Mimikatz"), std::string::npos);
}

TEST(StringConstructionTest, CandidateCheck) {
  EXPECT_FALSE(MayNeedNormalization("Get-ChildItem -Path C:\\ | Sort-Object Name"));
  EXPECT_FALSE(MayNeedNormalization("$i = $i + 1; Write-Host \"n=$i\""));
  for (const char* t : {"$a = \"{0}: {1}\" -f $x, $y", "$a -join ','",
                        "$s -replace 'a','b'", "Write-Host \"a`tb`n\"",
                        "$msg = 'Copied ' + $count"}) {
    EXPECT_FALSE(MayNeedNormalization(t)) << t;
  }
  for (const char* t : {"'a'+'b'", "'{1}{0}' -f 'a','b'", "I`EX", "x`y",
                        "('a') -RePlAcE 'x'", "'ab'.Replace('a','b')",
                        "-JOIN ('a','b')", "('a','b')-join''",
                        "[array]::reverse($a)", "'RightToLeft'",
                        "$s[ -1 ..-5]", "[char]39+'x'"}) {
    EXPECT_TRUE(MayNeedNormalization(t)) << t;
  }
}

TEST(StringConstructionTest, LimitsAndAdversarialInput) {
  std::string out;
  NormalizeInfo info;
  EXPECT_EQ(NormalizeStrings("('a'+'b') + ('c'+'d')", 3, &out, &info),
            Outcome::kLimitReached);
  EXPECT_EQ(out.size(), 3u);
  // Deep nesting and unterminated literals stay linear and do not crash.
  std::string deep(200000, '(');
  deep += "'a'+'b'";
  out.clear();
  NormalizeStrings(deep, 1 << 20, &out, &info);
  out.clear();
  EXPECT_EQ(NormalizeStrings("'unterminated + 'x", 1 << 20, &out, &info),
            Outcome::kNotApplicable);
}

}  // namespace
}  // namespace sbscan::decoders
