// libFuzzer target: an untrusted native rule file (YAML) through ParseRules, then
// RuleSet::Compile with tight CompileOptions limits. Errors are fine; crashes, hangs and
// unbounded memory are not. A small set that compiles also goes through the deferral
// differential (deferral_differential.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"
#include "tests/fuzz/deferral_differential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string yaml(reinterpret_cast<const char*>(data), size);
  auto rules = sbscan::signatures::ParseRules(yaml, "fuzz.yml");
  if (!rules.ok()) {
    (void)rules.status().message().size();
    return 0;
  }
  sbscan::signatures::CompileOptions options;
  options.max_rules = 64;
  options.max_patterns_per_rule = 32;
  options.max_pattern_bytes = 256;
  options.max_expressions = 256;
  options.max_condition_bytes = 1024;
  options.re2_max_mem = 1 << 20;
  auto set = sbscan::signatures::RuleSet::Compile(*rules, options);
  if (set.ok()) sbscan::fuzz::CheckDeferral(*set, *rules, options, yaml);
  return 0;
}
