// A text of everything Matcher::Evaluate reported, to compare two matchers' results (rule ids,
// not pointers: the rule sets may differ) and to print them when they differ. Shared by the
// differential tests and fuzzers.
#ifndef SBSCAN_TESTS_SIGNATURES_RULE_HIT_TEXT_H_
#define SBSCAN_TESTS_SIGNATURES_RULE_HIT_TEXT_H_

#include <string>
#include <vector>

#include "signatures/matcher.h"

namespace sbscan::signatures {

// "id+total: p@layer[begin,end)... sSel...;" per hit, '-' for a near miss.
inline std::string RuleHitText(const std::vector<RuleHit>& hits) {
  std::string out;
  for (const RuleHit& h : hits) {
    out += h.rule->id + (h.condition_held ? "+" : "-") + std::to_string(h.total_matches) + ":";
    for (const PatternMatch& m : h.matches) {
      out += " " + std::to_string(m.pattern) + "@" + std::to_string(m.layer) + "[" +
             std::to_string(m.begin) + "," + std::to_string(m.end) + ")";
    }
    for (uint32_t s : h.selections) out += " s" + std::to_string(s);
    out += ";";
  }
  return out;
}

}  // namespace sbscan::signatures

#endif  // SBSCAN_TESTS_SIGNATURES_RULE_HIT_TEXT_H_
