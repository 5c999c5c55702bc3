#include "engine/src/bundled_rules.h"
#include "sbscan/scanner.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace sbscan {

absl::StatusOr<std::shared_ptr<const signatures::RuleSet>> LoadRuleSet(const RuleSources& sources) {
  std::vector<signatures::Rule> rules;
  if (sources.bundled) {
    for (const BundledRuleFile& file : BundledRuleFiles()) {
      absl::StatusOr<std::vector<signatures::Rule>> parsed =
          signatures::ParseRules(file.yaml, file.name);
      if (!parsed.ok()) return parsed.status();
      for (signatures::Rule& rule : *parsed) {
        rule.ruleset = "bundled";
        rules.push_back(std::move(rule));
      }
    }
  }
  if (!sources.paths.empty()) {
    absl::StatusOr<std::vector<signatures::Rule>> loaded = signatures::LoadRuleFiles(sources.paths);
    if (!loaded.ok()) return loaded.status();
    for (signatures::Rule& rule : *loaded) {
      rule.ruleset = rule.source_file;
      rules.push_back(std::move(rule));
    }
  }
  return signatures::RuleSet::Compile(std::move(rules));
}

}  // namespace sbscan
