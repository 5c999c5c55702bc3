// `sbscan rules check`: findings about rules that compile but will be slow, noisy or untestable.
#ifndef SBSCAN_SIGNATURES_RULE_LINT_H_
#define SBSCAN_SIGNATURES_RULE_LINT_H_

#include <string>
#include <vector>

#include "signatures/rule_set.h"

namespace sbscan::signatures {

// One finding, located at a rule (or one of its patterns) in its source file.
struct LintFinding {
  enum class Severity { kWarning, kError };
  Severity severity = Severity::kWarning;
  std::string file;
  int line = 0;
  std::string rule_id;
  std::string message;
};

// Thresholds of the static checks.
struct LintOptions {
  size_t min_literal_bytes = 4;  // a shorter text literal hits often: warned
  int min_atom_bytes = 3;        // a regex without a required literal factor this long: warned
};

// Static checks on a compiled set, in rule order. Warnings:
//  - a condition that holds when no pattern matches (the rule fires on every block);
//  - a text literal shorter than min_literal_bytes (matches nearly everywhere; every match costs
//    a callback);
//  - a regex with no literal factor of min_atom_bytes that every match contains (no literal
//    prefilter can rule a text out; Hyperscan runs it over every byte);
//  - a regex Hyperscan cannot compile exactly (prefilter mode: every candidate confirmed by RE2);
//  - a native rule without embedded examples (nothing for `rules check` to test).
// Errors are not produced here: a rule that does not load or compile fails LoadRuleSet().
std::vector<LintFinding> LintRuleSet(const RuleSet& rules, const LintOptions& options = {});

// "file:line: warning: rule 'id': message".
std::string FormatLintFinding(const LintFinding& finding);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_RULE_LINT_H_
