// The alert JSON carries the rule's metadata (Sigma and native) and the selections that held.
#include "engine/src/alert_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "engine/src/analyzer.h"
#include "signatures/rule_set.h"
#include "signatures/sigma_loader.h"

namespace sbscan {
namespace {

constexpr char kSigma[] = R"(title: Suspicious Thing
id: 0f017df3-8f5a-414f-ad6b-24aff1128278
status: test
description: Detects the thing.
references:
  - https://example.com/a
  - https://example.com/b
author: Jane Doe
tags:
  - attack.defense-evasion
  - attack.t1070.001
logsource:
  product: windows
  category: ps_script
detection:
  selection_a:
    ScriptBlockText|contains: 'Clear-EventLog '
  selection_b:
    ScriptBlockText|contains: 'Remove-EventLog '
  filter:
    ScriptBlockText|contains: 'WhatIf'
  condition: 1 of selection_* and not filter
falsepositives:
  - Admin scripts
level: medium
)";

// kSigma, or another Sigma text, compiled alone.
std::shared_ptr<const signatures::RuleSet> Compile(const std::string& sigma = kSigma) {
  absl::StatusOr<signatures::Rule> rule = signatures::ParseSigmaRule(sigma, "thing.yml");
  EXPECT_TRUE(rule.ok()) << rule.status();
  auto set = signatures::RuleSet::Compile({*rule});
  EXPECT_TRUE(set.ok()) << set.status();
  return *set;
}

AnalysisOptions RulesOnly() {
  AnalysisOptions options;
  options.obfuscation_score = false;
  return options;
}

// A complete one-fragment block of `text` (host "H", id "id"; its span kept in *spans).
ScriptBlock OneBlock(std::string_view text, std::vector<FragmentSpan>* spans) {
  spans->assign({{1, 0, static_cast<uint32_t>(text.size()), 7}});
  ScriptBlock block;
  block.host = "H";
  block.script_block_id = "id";
  block.text = text;
  block.fragments_total = 1;
  block.fragments = *spans;
  return block;
}

std::vector<std::string> Alerts(std::string_view text) {
  Analyzer analyzer(Compile(), RulesOnly());
  std::vector<FragmentSpan> spans;
  std::vector<std::string> out;
  analyzer.Analyze(OneBlock(text, &spans), [&](const Alert& a) {
    std::string json;
    AppendAlertJson(a, &json);
    out.push_back(json);
  });
  return out;
}

std::vector<std::string> Strings(simdjson::ondemand::array array) {
  std::vector<std::string> out;
  for (auto v : array) out.emplace_back(std::string_view(v.get_string().value()));
  return out;
}

TEST(AlertJsonTest, SigmaMetadataAndSelections) {
  std::vector<std::string> alerts = Alerts("Clear-EventLog -LogName System");
  ASSERT_EQ(alerts.size(), 1u);
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(alerts[0]);
  simdjson::ondemand::document doc = parser.iterate(padded);
  simdjson::ondemand::object rule = doc["rule"].get_object();
  EXPECT_EQ(std::string_view(rule["id"].get_string()), "sigma.0f017df3-8f5a-414f-ad6b-24aff1128278");
  EXPECT_EQ(std::string_view(rule["uuid"].get_string()), "0f017df3-8f5a-414f-ad6b-24aff1128278");
  EXPECT_EQ(std::string_view(rule["name"].get_string()), "Suspicious Thing");
  EXPECT_EQ(std::string_view(rule["level"].get_string()), "medium");
  EXPECT_EQ(std::string_view(rule["description"].get_string()), "Detects the thing.");
  EXPECT_EQ(std::string_view(rule["author"].get_string()), "Jane Doe");
  EXPECT_EQ(Strings(rule["reference"].get_array()),
            (std::vector<std::string>{"https://example.com/a", "https://example.com/b"}));
  simdjson::ondemand::object threat = doc["threat"].get_object();
  EXPECT_EQ(Strings(threat["technique"]["id"].get_array()), std::vector<std::string>{"T1070.001"});
  EXPECT_EQ(Strings(threat["tactic"]["name"].get_array()),
            std::vector<std::string>{"defense-evasion"});
  simdjson::ondemand::object sb = doc["sbscan"].get_object();
  EXPECT_EQ(std::string_view(sb["rule"]["status"].get_string()), "test");
  EXPECT_EQ(Strings(sb["rule"]["falsepositives"].get_array()),
            std::vector<std::string>{"Admin scripts"});
  EXPECT_EQ(Strings(sb["selections"].get_array()), std::vector<std::string>{"selection_a"});
}

TEST(AlertJsonTest, FilterHeldMeansNoAlert) {
  EXPECT_TRUE(Alerts("Clear-EventLog -LogName System -WhatIf").empty());
  EXPECT_EQ(Alerts("Clear-EventLog x; Remove-EventLog y").size(), 1u);
  EXPECT_NE(Alerts("Clear-EventLog x; Remove-EventLog y")[0].find(
                R"("selections":["selection_a","selection_b"])"),
            std::string::npos);
}

// The analyzer hands each alert its rule's members pre-rendered (once per rule); the writer
// gives the same bytes with them as from the fields alone, escapes included.
TEST(AlertJsonTest, PreRenderedRuleMembersGiveTheSameBytes) {
  std::string sigma = kSigma;
  sigma.replace(sigma.find("Detects the thing."), 18, "\"Detects\\t the \\\"thing\\\".\"");
  Analyzer analyzer(Compile(sigma), RulesOnly());
  std::vector<FragmentSpan> spans;
  const ScriptBlock block = OneBlock("Clear-EventLog x; Remove-EventLog y", &spans);
  int alerts = 0;
  for (int round = 0; round < 2; ++round) {  // the first alert renders, the second reuses
    analyzer.Analyze(block, [&](const Alert& a) {
      ++alerts;
      EXPECT_FALSE(a.rule.json_rule.empty());
      EXPECT_FALSE(a.rule.json_sbscan_rule.empty());
      std::string cached, rendered;
      AppendAlertJson(a, &cached);
      Alert plain = a;
      plain.rule.json_rule = {};
      plain.rule.json_sbscan_rule = {};
      AppendAlertJson(plain, &rendered);
      EXPECT_EQ(cached, rendered);
      EXPECT_NE(rendered.find(R"("description":"Detects\t the \"thing\".")"), std::string::npos)
          << rendered;
    });
  }
  EXPECT_EQ(alerts, 2);
}

// New rules (a reload) never reuse the members rendered for the old ones.
TEST(AlertJsonTest, NewRulesRenderTheirOwnMembers) {
  auto titled = [](std::string_view title) {
    std::string sigma = kSigma;
    sigma.replace(sigma.find("Suspicious Thing"), 16, title);
    return Compile(sigma);
  };
  Analyzer analyzer(titled("Suspicious Thing"), RulesOnly());
  std::vector<FragmentSpan> spans;
  const ScriptBlock block = OneBlock("Clear-EventLog x", &spans);
  std::string json;
  analyzer.Analyze(block, [&](const Alert& a) { AppendAlertJson(a, &json); });
  ASSERT_TRUE(analyzer.SetRules(titled("Renamed Thingy!!")).ok());  // same length, same id
  analyzer.Analyze(block, [&](const Alert& a) { AppendAlertJson(a, &json); });
  EXPECT_NE(json.find(R"("name":"Suspicious Thing")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("name":"Renamed Thingy!!")"), std::string::npos) << json;
}

}  // namespace
}  // namespace sbscan
