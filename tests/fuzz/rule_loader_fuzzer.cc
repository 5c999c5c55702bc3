// libFuzzer target: an untrusted native rule file (YAML) through ParseRules, then
// RuleSet::Compile with tight CompileOptions limits. Errors are fine; crashes, hangs and
// unbounded memory are not. A set that compiles is also a differential check of the deferral
// behind guards (CompileOptions::defer_guarded_patterns): compiled with it on (two guard sets
// and one) and off, every rule's examples, the input itself and the rule's pattern values
// joined into one text must give the same hits, matches and near misses; a difference traps.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "signatures/matcher.h"
#include "signatures/rule_loader.h"
#include "signatures/rule_set.h"

namespace {

using sbscan::signatures::CompileOptions;
using sbscan::signatures::Matcher;
using sbscan::signatures::Rule;
using sbscan::signatures::RuleHit;
using sbscan::signatures::RuleSet;

CompileOptions Tight() {
  CompileOptions options;
  options.max_rules = 64;
  options.max_patterns_per_rule = 32;
  options.max_pattern_bytes = 256;
  options.max_expressions = 256;
  options.max_condition_bytes = 1024;
  options.re2_max_mem = 1 << 20;
  return options;
}

// Everything Evaluate reports, rule by rule (ids, not pointers: the sets differ).
std::string Describe(const std::vector<RuleHit>& hits) {
  std::string out;
  for (const RuleHit& h : hits) {
    out += h.rule->id + (h.condition_held ? "+" : "-") + std::to_string(h.total_matches) + ":";
    for (const auto& m : h.matches) {
      out += std::to_string(m.pattern) + "@" + std::to_string(m.layer) + "[" +
             std::to_string(m.begin) + "," + std::to_string(m.end) + ")";
    }
    for (uint32_t s : h.selections) out += "s" + std::to_string(s);
    out += ";";
  }
  return out;
}

std::string Run(Matcher& m, const std::string& path, const std::vector<std::string>& layers,
                int level, bool near_misses) {
  m.Reset();
  m.SetLevel(level);
  if (!path.empty()) m.ScanPath(path);
  for (size_t i = 0; i < layers.size(); ++i) m.ScanText(layers[i], static_cast<int>(i));
  std::vector<RuleHit> hits;
  m.Evaluate(&hits, near_misses);
  return Describe(hits);
}

// The differential compiles the set three more times: only for small sets (a handful of short
// regexes), so that no input nears libFuzzer's per-input timeout under the sanitizers.
bool SmallEnoughToCompileThrice(const RuleSet& set) {
  size_t regex_bytes = 0;
  for (const Rule& rule : set.rules()) {
    for (const auto& p : rule.patterns) {
      if (p.kind == sbscan::signatures::Pattern::Kind::kRegex) regex_bytes += p.value.size();
    }
  }
  return set.pattern_count() <= 24 && regex_bytes <= 256;
}

void CheckDeferral(const std::vector<Rule>& rules, const std::string& yaml) {
  CompileOptions off = Tight(), one = Tight();
  off.defer_guarded_patterns = false;
  one.guard_sets_per_rule = 1;
  auto plain = RuleSet::Compile(rules, off);
  auto two_sets = RuleSet::Compile(rules, Tight());
  auto one_set = RuleSet::Compile(rules, one);
  if (!plain.ok() || !two_sets.ok() || !one_set.ok()) return;  // e.g. scratch limits
  Matcher reference(*plain), a(*two_sets), b(*one_set);
  if (!reference.status().ok() || !a.status().ok() || !b.status().ok()) return;
  // Blocks: each rule's examples, the input, and the rule's pattern values in one text (so that
  // guards hit), with the input again as a second layer.
  struct Block {
    std::string path;
    std::vector<std::string> layers;
    int level = 4;
  };
  std::vector<Block> blocks;
  blocks.push_back({"", {yaml}, 4});
  for (const Rule& rule : rules) {
    for (const auto& e : rule.examples) blocks.push_back({e.path, {e.text}, e.level});
    std::string all;
    for (const auto& p : rule.patterns) all += p.value + " ";
    blocks.push_back({"", {all, yaml}, 4});
  }
  for (const Block& block : blocks) {
    for (bool near_misses : {false, true}) {
      const std::string want = Run(reference, block.path, block.layers, block.level, near_misses);
      if (Run(a, block.path, block.layers, block.level, near_misses) != want ||
          Run(b, block.path, block.layers, block.level, near_misses) != want) {
        __builtin_trap();  // deferral changed a result
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string yaml(reinterpret_cast<const char*>(data), size);
  auto rules = sbscan::signatures::ParseRules(yaml, "fuzz.yml");
  if (!rules.ok()) {
    (void)rules.status().message().size();
    return 0;
  }
  auto set = RuleSet::Compile(*rules, Tight());
  if (set.ok() && SmallEnoughToCompileThrice(**set)) CheckDeferral(*rules, yaml);
  return 0;
}
