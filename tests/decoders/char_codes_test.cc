#include "decoders/char_codes.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

struct Decoded {
  Outcome outcome;
  std::vector<CharCodeRun> runs;
  std::string out;
  std::string Text(size_t i) const {
    return out.substr(runs[i].out_begin, runs[i].out_end - runs[i].out_begin);
  }
};

Decoded Decode(std::string_view text, size_t max_runs = 64,
               size_t max_out = 1 << 20) {
  Decoded d;
  d.outcome = DecodeCharCodes(text, max_runs, max_out, &d.runs, &d.out);
  return d;
}

TEST(CharCodesTest, CharCasts) {
  const std::string t = "iex([CHar]73  +[CHar]69+  [char]0x58 + [char](32)+[char]([Convert]::ToInt16('1000011',2)))";
  const Decoded d = Decode(t);
  ASSERT_EQ(d.outcome, Outcome::kDecoded);
  ASSERT_EQ(d.runs.size(), 1u);
  EXPECT_EQ(d.Text(0), "IEX C");
  EXPECT_EQ(d.runs[0].form, CharCodeForm::kCharCast);
  EXPECT_EQ(t.substr(d.runs[0].begin, 6), "[CHar]");
}

TEST(CharCodesTest, ListsInEveryBase) {
  // "Write-Host hi" in decimal, hex (quoted items), octal and binary.
  const Decoded dec = Decode("[char[]](87,114,105,116,101,45,72,111,115,116,32,104,105) -join ''");
  ASSERT_EQ(dec.runs.size(), 1u);
  EXPECT_EQ(dec.Text(0), "Write-Host hi");
  EXPECT_EQ(dec.runs[0].base, 10);
  const Decoded hex = Decode("[string]::join('', ((57,72,69,74,65,'2d',48,'6f',73,74,20,68,69)|%{ ([char]([convert]::ToInt16(($_.ToString()),16))) }))");
  ASSERT_EQ(hex.runs.size(), 1u);
  EXPECT_EQ(hex.Text(0), "Write-Host hi");
  EXPECT_EQ(hex.runs[0].base, 16);
  const Decoded oct = Decode("(127 ,162,151,164,145,55,110,157,163,164,40,150,151)|ForEach{([char]([convert]::ToInt16(([string]$_),8)))}");
  ASSERT_EQ(oct.runs.size(), 1u);
  EXPECT_EQ(oct.Text(0), "Write-Host hi");
  const Decoded bxor = Decode("([char[]](13,40,51,46,63,119,18,53,41,46,122,50,51) | %{[char]($_ -BXor\"0x5a\")}) -join ''");
  ASSERT_EQ(bxor.runs.size(), 1u);
  EXPECT_EQ(bxor.Text(0), "Write-Host hi");
  EXPECT_EQ(bxor.runs[0].xor_key, 0x5a);
}

TEST(CharCodesTest, DelimitedStrings) {
  const Decoded d = Decode("('87~114@105~116;101~45~72~111~115~116~32~104~105' -split '[~@;]' | %{[char][int]$_}) -join ''");
  ASSERT_EQ(d.runs.size(), 1u);
  EXPECT_EQ(d.Text(0), "Write-Host hi");
  EXPECT_EQ(d.runs[0].form, CharCodeForm::kDelimited);
  const Decoded b = Decode("('1010111}1110010v1101001}1110100v1100101o101101&1001000r1101111g1110011}1110100' -split 'o' -split '&' -split 'r' -split 'v' -split 'g' -split '}' | %{([char]([convert]::ToInt16(([string]$_),2)))}) -join ''");
  ASSERT_EQ(b.runs.size(), 1u);
  EXPECT_EQ(b.Text(0), "Write-Host");
  EXPECT_EQ(b.runs[0].base, 2);
}

TEST(CharCodesTest, OrdinaryCodeIsLeftAlone) {
  for (const char* t : {
           "$ports = @(80, 443, 8080, 8443, 3389, 22, 21, 25, 110)",  // no [char]
           "$q = [char]39; $s = $q + 'x' + $q",                         // one cast
           "[char[]]$name | ForEach-Object { $_ }",
           "$a = (1,2,3,4,5,6,7,8,9,10); [char]65",  // control characters
       }) {
    const Decoded d = Decode(t);
    EXPECT_TRUE(d.runs.empty()) << t << " -> " << d.out;
    EXPECT_EQ(d.outcome, Outcome::kNotApplicable) << t;
  }
  EXPECT_FALSE(MayContainCharCodes("Get-ChildItem -Path C:\\ | Sort-Object"));
  EXPECT_TRUE(MayContainCharCodes("[CHAR]65"));
}

TEST(CharCodesTest, Limits) {
  std::string t;
  for (int i = 0; i < 3; ++i) t += "[char]72+[char]101+[char]108+[char]108+[char]111; ";
  const Decoded two = Decode(t, 2);
  EXPECT_EQ(two.outcome, Outcome::kLimitReached);
  EXPECT_EQ(two.runs.size(), 2u);
  const Decoded small = Decode(t, 64, 8);
  EXPECT_EQ(small.outcome, Outcome::kLimitReached);
  EXPECT_LE(small.out.size(), 8u);
}

}  // namespace
}  // namespace sbscan::decoders
