#include "signatures/rule_filter.h"

#include <algorithm>

#include "signatures/glob.h"

namespace sbscan::signatures {

bool RuleMatchesGlob(const Rule& rule, const std::string& glob) {
  auto match = [&](const std::string& s) { return GlobMatch(glob, s, /*ignore_case=*/true); };
  if (match(rule.id) || (!rule.uuid.empty() && match(rule.uuid))) return true;
  return std::any_of(rule.tags.begin(), rule.tags.end(), match) ||
         std::any_of(rule.technique_ids.begin(), rule.technique_ids.end(), match);
}

bool KeepRule(const RuleFilter& filter, const Rule& rule) {
  if (filter.min_level && rule.level < *filter.min_level) return false;
  auto matches = [&](const std::string& glob) { return RuleMatchesGlob(rule, glob); };
  if (!filter.include.empty() &&
      std::none_of(filter.include.begin(), filter.include.end(), matches)) {
    return false;
  }
  return std::none_of(filter.exclude.begin(), filter.exclude.end(), matches);
}

void ApplyRuleFilter(const RuleFilter& filter, std::vector<Rule>* rules) {
  rules->erase(std::remove_if(rules->begin(), rules->end(),
                              [&](const Rule& r) { return !KeepRule(filter, r); }),
               rules->end());
}

}  // namespace sbscan::signatures
