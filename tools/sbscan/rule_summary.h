// sbscan CLI: --summary, alerts per rule over a whole scan.
#ifndef SBSCAN_TOOLS_SBSCAN_RULE_SUMMARY_H_
#define SBSCAN_TOOLS_SBSCAN_RULE_SUMMARY_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "signatures/rule_set.h"

namespace sbscan::cli {

// Alerts counted per rule id. One per writer thread, merged at the end.
class RuleAlertCounts {
 public:
  void Count(std::string_view rule_id);
  // Adds `other`'s counts to these and clears `other`.
  void Merge(RuleAlertCounts* other);
  uint64_t Get(std::string_view rule_id) const;
  const absl::flat_hash_map<std::string, uint64_t>& counts() const { return counts_; }

 private:
  absl::flat_hash_map<std::string, uint64_t> counts_;
};

// Writes the summary: blocks scanned, rules that fired and never fired, then one line per rule
// (alerts, level, id, title), most alerts first, the rules that never fired last (in rule
// order); built-in alerts that are not in `rules` (the obfuscation score) are listed too.
void PrintRuleSummary(const signatures::RuleSet& rules, const RuleAlertCounts& counts,
                      uint64_t blocks, std::FILE* out);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_RULE_SUMMARY_H_
