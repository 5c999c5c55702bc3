// Loads native sbscan rules (YAML, format in signatures/README.md) into Rule values.
#ifndef SBSCAN_SIGNATURES_RULE_LOADER_H_
#define SBSCAN_SIGNATURES_RULE_LOADER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "signatures/rule.h"

namespace sbscan::signatures {

// Parses every YAML document of one rule file (`yaml` is its whole content; `source_name` is
// used in Rule::source_file and in error messages). Validates the structure: required keys,
// unknown keys, level names, pattern names and kinds, tags and examples; duplicate rule ids
// within the file. Does not check conditions or compile regexes (RuleSet::Compile does).
// Errors are InvalidArgument with "source_name:line: rule 'id': what is wrong". Never throws.
// Rules get ruleset "bundled"; the caller may change it.
absl::StatusOr<std::vector<Rule>> ParseRules(std::string_view yaml, std::string_view source_name);

// Loads rule files. Each path is a file, or a directory searched recursively for *.yml and
// *.yaml files (taken in sorted path order). Fails with NotFound for a missing path, and with
// InvalidArgument on the first invalid file or on a rule id defined twice across the files (the
// message names both places). Never throws.
absl::StatusOr<std::vector<Rule>> LoadRuleFiles(const std::vector<std::string>& paths);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_RULE_LOADER_H_
