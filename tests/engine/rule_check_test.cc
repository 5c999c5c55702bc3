#include "engine/src/rule_check.h"

#include <gtest/gtest.h>

#include "tests/engine/test_rules.h"

namespace sbscan {
namespace {

TEST(RuleCheckTest, ReportsEachFailingExampleWithFileLineAndId) {
  auto rules = testing::CompileYaml(R"(
id: r.good
title: Good
level: low
patterns:
  a: Invoke-Thing
examples:
  match: ["Invoke-Thing -Now"]
  no_match: ["Get-Thing"]
---
id: r.bad
title: Bad
level: low
patterns:
  a: Invoke-Thing
examples:
  match: ["Invoke-Other"]
  no_match: ["Invoke-Thing"]
)");
  ASSERT_NE(rules, nullptr);
  std::vector<ExampleFailure> failures = CheckRuleExamples(rules);
  ASSERT_EQ(failures.size(), 2u);
  for (const auto& f : failures) {
    EXPECT_EQ(f.rule_id, "r.bad");
    EXPECT_EQ(f.file, "test.yml");
    EXPECT_GT(f.line, 10);
  }
  EXPECT_NE(failures[0].message.find("should match"), std::string::npos);
  EXPECT_NE(failures[1].message.find("should not match"), std::string::npos);
}

TEST(RuleCheckTest, ExamplesRunThroughTheDecoders) {
  // "Invoke-Thing" as UTF-16LE Base64 behind -enc: only decoding can see it.
  auto rules = testing::CompileYaml(R"(
id: r.decoded
title: Decoded
level: low
patterns:
  a: Invoke-Thing
examples:
  match: ["powershell -enc SQBuAHYAbwBrAGUALQBUAGgAaQBuAGcA"]
)");
  ASSERT_NE(rules, nullptr);
  EXPECT_TRUE(CheckRuleExamples(rules).empty());
  AnalysisOptions no_decode;
  no_decode.decode.enabled = false;
  EXPECT_EQ(CheckRuleExamples(rules, no_decode).size(), 1u);
}

}  // namespace
}  // namespace sbscan
