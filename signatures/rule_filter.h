// Which loaded rules to keep: --min-level, --include and --exclude.
#ifndef SBSCAN_SIGNATURES_RULE_FILTER_H_
#define SBSCAN_SIGNATURES_RULE_FILTER_H_

#include <optional>
#include <string>
#include <vector>

#include "signatures/rule.h"

namespace sbscan::signatures {

// A rule is kept when its level is at least `min_level` (when set), when `include` is empty or
// one of its globs matches the rule, and when no glob of `exclude` matches it. A glob (`*`, `?`,
// ASCII case-insensitive) matches a rule when it matches its id, its uuid (Sigma id), one of its
// tags as written ("attack.t1059.001") or one of its technique ids ("T1059.001").
struct RuleFilter {
  std::optional<Level> min_level;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
};

// True when `glob` matches `rule` as described above.
bool RuleMatchesGlob(const Rule& rule, const std::string& glob);

// True when `filter` keeps `rule`.
bool KeepRule(const RuleFilter& filter, const Rule& rule);

// Removes from `rules` every rule `filter` does not keep (order of the rest unchanged).
void ApplyRuleFilter(const RuleFilter& filter, std::vector<Rule>* rules);

}  // namespace sbscan::signatures

#endif  // SBSCAN_SIGNATURES_RULE_FILTER_H_
