// libFuzzer target: an untrusted Sigma rule (YAML) through ParseSigmaRule, then the translated
// rule through RuleSet::Compile with tight CompileOptions limits, then (a small one) the
// deferral differential (deferral_differential.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "signatures/rule_set.h"
#include "signatures/sigma_loader.h"
#include "tests/fuzz/deferral_differential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string yaml(reinterpret_cast<const char*>(data), size);
  auto rule = sbscan::signatures::ParseSigmaRule(yaml, "fuzz.yml");
  if (!rule.ok()) return 0;
  std::vector<sbscan::signatures::Rule> rules;
  rules.push_back(std::move(*rule));
  sbscan::signatures::CompileOptions options;
  options.max_rules = 4;
  options.max_patterns_per_rule = 64;
  options.max_pattern_bytes = 512;
  options.max_expressions = 256;
  options.max_condition_bytes = 2048;
  options.re2_max_mem = 1 << 20;
  auto set = sbscan::signatures::RuleSet::Compile(rules, options);
  if (set.ok()) sbscan::fuzz::CheckDeferral(*set, rules, options, yaml);
  return 0;
}
