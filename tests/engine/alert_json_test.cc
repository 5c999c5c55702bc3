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

std::vector<std::string> Alerts(std::string_view text) {
  absl::StatusOr<signatures::Rule> rule = signatures::ParseSigmaRule(kSigma, "thing.yml");
  EXPECT_TRUE(rule.ok()) << rule.status();
  auto set = signatures::RuleSet::Compile({*rule});
  EXPECT_TRUE(set.ok()) << set.status();
  AnalysisOptions options;
  options.obfuscation_score = false;
  Analyzer analyzer(*set, options);
  std::vector<FragmentSpan> spans = {{1, 0, static_cast<uint32_t>(text.size()), 7}};
  ScriptBlock block;
  block.host = "H";
  block.script_block_id = "id";
  block.text = text;
  block.fragments_total = 1;
  block.fragments = spans;
  std::vector<std::string> out;
  analyzer.Analyze(block, [&](const Alert& a) {
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

}  // namespace
}  // namespace sbscan
