#include "decoders/string_construction.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

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

// The window's text with every edit inside it put back to its original form must be the
// original text at [in_begin, in_end): everything but the edits is a copy.
void ExpectMapsBack(std::string_view text, std::string_view out, const NormalizeInfo& info,
                    const ChangedWindow& w) {
  std::string back;
  size_t pos = w.out_begin;
  for (const TextEdit& e : info.edits) {
    if (e.out_begin < w.out_begin || e.out_begin >= w.out_end) continue;
    ASSERT_LE(e.out_end, w.out_end) << "an edit crosses the window's end";
    back.append(out.substr(pos, e.out_begin - pos));
    back.append(text.substr(e.in_begin, e.in_end - e.in_begin));
    pos = e.out_end;
  }
  back.append(out.substr(pos, w.out_end - pos));
  ASSERT_LE(w.in_end, text.size());
  EXPECT_EQ(back, text.substr(w.in_begin, w.in_end - w.in_begin));
}

// 400 lines of plain code; the lines in `constructs` hold a concatenation instead.
std::string ScriptWith(const std::vector<int>& constructs) {
  std::string text;
  for (int i = 0; i < 400; ++i) {
    if (std::find(constructs.begin(), constructs.end(), i) != constructs.end()) {
      text += "$c" + std::to_string(i) + " = 'Inv'+'oke-Mimi'+'katz'\n";
    } else {
      text += "Write-Output \"line " + std::to_string(i) + "\"\n";
    }
  }
  return text;
}

TEST(StringConstructionTest, ChangedWindowAroundOneConstruct) {
  const std::string text = ScriptWith({200});
  std::string out;
  NormalizeInfo info;
  ASSERT_EQ(NormalizeStrings(text, 1 << 20, &out, &info), Outcome::kDecoded);
  ASSERT_EQ(info.edits.size(), 1u);
  const TextEdit& e = info.edits[0];
  EXPECT_EQ(out.substr(e.out_begin, e.out_end - e.out_begin), "Invoke-Mimikatz");
  EXPECT_EQ(text.substr(e.in_begin, e.in_end - e.in_begin), "'Inv'+'oke-Mimi'+'katz'");
  const std::vector<ChangedWindow> w = ChangedWindows(info, out, text.size(), 256);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_LE(w[0].out_begin + 256, e.out_begin);
  EXPECT_GE(w[0].out_end, e.out_end + 256);
  EXPECT_LE(w[0].out_end - w[0].out_begin, (e.out_end - e.out_begin) + 4 * 256);
  EXPECT_EQ(out[w[0].out_begin - 1], '\n');  // whole lines
  EXPECT_EQ(out[w[0].out_end - 1], '\n');
  ExpectMapsBack(text, out, info, w[0]);
}

TEST(StringConstructionTest, ChangedWindowsMergeSplitOrCoverAll) {
  for (const auto& [lines, windows] : std::vector<std::pair<std::vector<int>, size_t>>{
           {{100, 110}, 1}, {{50, 350}, 2}, {{10, 200, 390}, 3}}) {
    const std::string text = ScriptWith(lines);
    std::string out;
    NormalizeInfo info;
    ASSERT_EQ(NormalizeStrings(text, 1 << 20, &out, &info), Outcome::kDecoded);
    ASSERT_EQ(info.edits.size(), lines.size());
    const std::vector<ChangedWindow> w = ChangedWindows(info, out, text.size(), 256);
    ASSERT_EQ(w.size(), windows) << lines.size() << " constructs";
    for (const ChangedWindow& x : w) ExpectMapsBack(text, out, info, x);
  }
  // A construct on every tenth line: the windows would cover it all, so one whole window.
  std::vector<int> many;
  for (int i = 0; i < 400; i += 10) many.push_back(i);
  const std::string text = ScriptWith(many);
  std::string out;
  NormalizeInfo info;
  ASSERT_EQ(NormalizeStrings(text, 1 << 20, &out, &info), Outcome::kDecoded);
  const std::vector<ChangedWindow> w = ChangedWindows(info, out, text.size(), 256);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].out_begin, 0u);
  EXPECT_EQ(w[0].out_end, out.size());
  EXPECT_EQ(w[0].in_begin, 0u);
  EXPECT_EQ(w[0].in_end, text.size());
}

// Random scripts, contexts and output limits: windows are ordered and disjoint, hold every
// edit whole with its context, and map back to the original text.
TEST(StringConstructionTest, ChangedWindowsProperties) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<int> lines;
    const int count = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < count; ++k) lines.push_back(static_cast<int>(rng() % 400));
    const std::string text = ScriptWith(lines);
    const size_t context = 16 + rng() % 600;
    const size_t max_out = rng() % 2 ? (1 << 20) : 2000 + rng() % 9000;
    std::string out;
    NormalizeInfo info;
    const Outcome o = NormalizeStrings(text, max_out, &out, &info);
    ASSERT_NE(o, Outcome::kNotApplicable);
    if (info.edits.empty()) continue;  // every construct lay past max_out
    const std::vector<ChangedWindow> w = ChangedWindows(info, out, text.size(), context);
    ASSERT_FALSE(w.empty());
    for (size_t i = 0; i < w.size(); ++i) {
      ASSERT_LT(w[i].out_begin, w[i].out_end);
      ASSERT_LE(w[i].out_end, out.size());
      if (i > 0) ASSERT_GT(w[i].out_begin, w[i - 1].out_end);
      if (w.size() > 1 || w[0].out_end < out.size()) ExpectMapsBack(text, out, info, w[i]);
    }
    for (const TextEdit& e : info.edits) {
      const bool held = std::any_of(w.begin(), w.end(), [&](const ChangedWindow& x) {
        return x.out_begin + std::min(context, e.out_begin) <= e.out_begin &&
               std::min(e.out_end + context, out.size()) <= x.out_end;
      });
      EXPECT_TRUE(held) << "edit at " << e.out_begin << " without its context, round " << round;
    }
  }
}

TEST(StringConstructionTest, NormalizationRegionsAroundTriggers) {
  EXPECT_TRUE(NormalizationRegions(ScriptWith({}), 512).empty());
  const std::string text = ScriptWith({40, 300});
  const auto regions = NormalizationRegions(text, 512);
  ASSERT_EQ(regions.size(), 2u);
  for (const auto& [b, e] : regions) {
    EXPECT_TRUE(b == 0 || text[b - 1] == '\n');
    EXPECT_TRUE(e == text.size() || text[e - 1] == '\n');
    const size_t at = FindNormalizationTrigger(text, b);
    ASSERT_LT(at, e);
    EXPECT_TRUE(b == 0 || at - b >= 512);
    EXPECT_TRUE(e == text.size() || e - at >= 512);
    EXPECT_NE(text.substr(b, e - b).find("'Inv'+'oke-Mimi'+'katz'"), std::string::npos);
  }
  // No trigger between or after the regions.
  EXPECT_GE(FindNormalizationTrigger(text, regions[0].second), regions[1].first);
  EXPECT_EQ(FindNormalizationTrigger(text, regions[1].second), std::string_view::npos);
  // Dense triggers: the whole text.
  std::vector<int> many;
  for (int i = 0; i < 400; i += 20) many.push_back(i);
  const std::string dense = ScriptWith(many);
  EXPECT_EQ(NormalizationRegions(dense, 512),
            (std::vector<std::pair<size_t, size_t>>{{0, dense.size()}}));
  // A line is never cut: a long literal before its '+' stays whole.
  const std::string long_line = ScriptWith({}) + "$p = '" + std::string(20000, 'A') + "'+'B'\n" +
                                ScriptWith({});
  const auto one = NormalizationRegions(long_line, 512);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(long_line.substr(one[0].first, 6), "$p = '");
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
