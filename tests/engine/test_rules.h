// Shared by the engine tests: compiles a small rule set from YAML text.
#ifndef SBSCAN_TESTS_ENGINE_TEST_RULES_H_
#define SBSCAN_TESTS_ENGINE_TEST_RULES_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace sbscan::testing {

inline std::shared_ptr<const signatures::RuleSet> CompileYaml(const std::string& yaml) {
  auto rules = signatures::ParseRules(yaml, "test.yml");
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  auto set = signatures::RuleSet::Compile(*rules);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *set : nullptr;
}

inline constexpr char kTestRules[] = R"(
id: t.mimikatz
title: Mimikatz
level: high
tags: [attack.credential-access, attack.t1003.001]
patterns:
  invoke: Invoke-Mimikatz
---
id: t.warning
title: Warning
level: low
patterns:
  warned: {level: 3}
---
id: t.temp
title: Temp path
level: medium
patterns:
  temp: {literal: '\Temp\', field: path}
)";

}  // namespace sbscan::testing

#endif  // SBSCAN_TESTS_ENGINE_TEST_RULES_H_
