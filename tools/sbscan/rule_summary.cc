#include "tools/sbscan/rule_summary.h"

#include <algorithm>
#include <vector>

#include <unordered_set>

namespace sbscan::cli {

void RuleAlertCounts::Count(std::string_view rule_id) {
  auto it = counts_.find(absl::string_view(rule_id.data(), rule_id.size()));
  if (it == counts_.end()) {
    counts_.emplace(std::string(rule_id), 1);
  } else {
    ++it->second;
  }
}

void RuleAlertCounts::Merge(RuleAlertCounts* other) {
  for (const auto& [id, n] : other->counts_) counts_[id] += n;
  other->counts_.clear();
}

uint64_t RuleAlertCounts::Get(std::string_view rule_id) const {
  auto it = counts_.find(absl::string_view(rule_id.data(), rule_id.size()));
  return it == counts_.end() ? 0 : it->second;
}

void PrintRuleSummary(const signatures::RuleSet& rules, const RuleAlertCounts& counts,
                      uint64_t blocks, std::FILE* out) {
  struct Line {
    uint64_t alerts;
    std::string_view level, id, title;
    size_t order;
  };
  std::vector<Line> lines;
  std::unordered_set<std::string_view> known;
  for (const signatures::Rule& rule : rules.rules()) {
    lines.push_back({counts.Get(rule.id), signatures::LevelName(rule.level), rule.id, rule.title,
                     lines.size()});
    known.insert(rule.id);
  }
  for (const auto& [id, n] : counts.counts()) {
    if (known.count(id) == 0) lines.push_back({n, "-", id, "(built-in)", lines.size()});
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    if (a.alerts != b.alerts) return a.alerts > b.alerts;
    return a.alerts == 0 ? a.order < b.order : a.id < b.id;
  });
  size_t fired = std::count_if(lines.begin(), lines.end(), [](const Line& l) { return l.alerts; });
  std::fprintf(out, "sbscan: summary: %llu blocks scanned, %zu rules: %zu fired, %zu never fired\n",
               static_cast<unsigned long long>(blocks), lines.size(), fired,
               lines.size() - fired);
  std::fprintf(out, "%10s  %-13s  %s  %s\n", "alerts", "level", "rule", "title");
  for (const Line& l : lines) {
    std::fprintf(out, "%10llu  %-13.*s  %.*s  %.*s\n", static_cast<unsigned long long>(l.alerts),
                 static_cast<int>(l.level.size()), l.level.data(), static_cast<int>(l.id.size()),
                 l.id.data(), static_cast<int>(l.title.size()), l.title.data());
  }
}

}  // namespace sbscan::cli
