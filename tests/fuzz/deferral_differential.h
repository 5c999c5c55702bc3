// The differential check of the deferral behind guards (CompileOptions::defer_guarded_patterns)
// shared by the rule-file fuzzers: a small rule set that compiled is compiled again with deferral
// off and with one guard set, and every rule's examples, the fuzzer's input and each rule's
// pattern values joined into one text (so that guards hit) must give the same hits, matches,
// selections and near misses in all three; a difference traps.
#ifndef SBSCAN_TESTS_FUZZ_DEFERRAL_DIFFERENTIAL_H_
#define SBSCAN_TESTS_FUZZ_DEFERRAL_DIFFERENTIAL_H_

#include <memory>
#include <string>
#include <vector>

#include "signatures/matcher.h"
#include "signatures/rule_set.h"
#include "tests/signatures/rule_hit_text.h"

namespace sbscan::fuzz {

struct FuzzBlock {
  std::string path;
  std::vector<std::string> layers;
  int level = 4;
};

inline std::string EvaluateBlock(signatures::Matcher& m, const FuzzBlock& b, bool near_misses) {
  m.Reset();
  m.SetLevel(b.level);
  if (!b.path.empty()) m.ScanPath(b.path);
  for (size_t i = 0; i < b.layers.size(); ++i) m.ScanText(b.layers[i], static_cast<int>(i));
  std::vector<signatures::RuleHit> hits;
  m.Evaluate(&hits, near_misses);
  return signatures::RuleHitText(hits);
}

// The check compiles the set twice more: only for small sets (a handful of short regexes), so
// that no input nears libFuzzer's per-input timeout under the sanitizers.
inline bool SmallEnoughToCompileTwice(const signatures::RuleSet& set) {
  size_t regex_bytes = 0;
  for (const signatures::Rule& rule : set.rules()) {
    for (const auto& p : rule.patterns) {
      if (p.kind == signatures::Pattern::Kind::kRegex) regex_bytes += p.value.size();
    }
  }
  return set.pattern_count() <= 24 && regex_bytes <= 256;
}

// `compiled` was compiled from `rules` with `options` (deferral on, two guard sets).
inline void CheckDeferral(const std::shared_ptr<const signatures::RuleSet>& compiled,
                          const std::vector<signatures::Rule>& rules,
                          const signatures::CompileOptions& options, const std::string& input) {
  if (!SmallEnoughToCompileTwice(*compiled)) return;
  signatures::CompileOptions off = options, one = options;
  off.defer_guarded_patterns = false;
  one.guard_sets_per_rule = 1;
  auto plain = signatures::RuleSet::Compile(rules, off);
  auto one_set = signatures::RuleSet::Compile(rules, one);
  if (!plain.ok() || !one_set.ok()) return;
  signatures::Matcher reference(*plain), a(compiled), b(*one_set);
  if (!reference.status().ok() || !a.status().ok() || !b.status().ok()) return;
  std::vector<FuzzBlock> blocks;
  blocks.push_back({"", {input}, 4});
  for (const signatures::Rule& rule : rules) {
    for (const auto& e : rule.examples) blocks.push_back({e.path, {e.text}, e.level});
    std::string all;
    for (const auto& p : rule.patterns) all += p.value + " ";
    blocks.push_back({"", {all, input}, 4});
  }
  for (const FuzzBlock& block : blocks) {
    for (bool near_misses : {false, true}) {
      const std::string want = EvaluateBlock(reference, block, near_misses);
      if (EvaluateBlock(a, block, near_misses) != want ||
          EvaluateBlock(b, block, near_misses) != want) {
        __builtin_trap();  // deferral changed a result
      }
    }
  }
}

}  // namespace sbscan::fuzz

#endif  // SBSCAN_TESTS_FUZZ_DEFERRAL_DIFFERENTIAL_H_
