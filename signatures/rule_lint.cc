#include "signatures/rule_lint.h"

#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "signatures/condition.h"
#include "signatures/re2_options.h"

namespace sbscan::signatures {
namespace {

uint64_t Key(uint32_t rule, uint32_t pattern) { return (uint64_t{rule} << 32) | pattern; }

}  // namespace

std::vector<LintFinding> LintRuleSet(const RuleSet& set, const LintOptions& options) {
  // (rule, pattern) -> its expression, to see how each pattern was compiled.
  absl::flat_hash_map<uint64_t, const internal::Expression*> expression_of;
  for (const internal::Expression& e : set.expressions()) {
    for (const auto& targets : e.targets) {
      for (const internal::Target& t : targets) expression_of[Key(t.rule, t.pattern)] = &e;
    }
  }
  std::vector<LintFinding> out;
  const std::vector<Rule>& rules = set.rules();
  for (uint32_t r = 0; r < rules.size(); ++r) {
    const Rule& rule = rules[r];
    auto warn = [&](int line, std::string message) {
      out.push_back({LintFinding::Severity::kWarning, rule.source_file,
                     line > 0 ? line : rule.source_line, rule.id, std::move(message)});
    };
    std::vector<std::string> names;
    for (const Pattern& p : rule.patterns) names.push_back(p.name);
    absl::StatusOr<Condition> condition =
        Condition::Parse(rule.condition.empty() ? "1 of them" : rule.condition, names);
    std::vector<uint8_t> none(rule.patterns.size(), 0);
    if (condition.ok() && condition->Evaluate(none)) {
      warn(rule.source_line, "the condition holds when no pattern matches: fires on every block");
    }
    for (uint32_t i = 0; i < rule.patterns.size(); ++i) {
      const Pattern& p = rule.patterns[i];
      const std::string where = absl::StrCat("pattern '", p.name, "': ");
      if (p.kind == Pattern::Kind::kLiteral && p.field == Field::kText &&
          p.value.size() < options.min_literal_bytes) {
        warn(p.line, absl::StrCat(where, "literal of ", p.value.size(),
                                  " bytes matches almost every block; every match costs a "
                                  "callback (lengthen it or anchor it in a regex)"));
      }
      if (p.kind != Pattern::Kind::kRegex) continue;
      auto it = expression_of.find(Key(r, i));
      if (it != expression_of.end() && it->second->prefilter) {
        warn(p.line, absl::StrCat(where,
                                  "Hyperscan cannot compile this regex exactly: it runs in "
                                  "prefilter mode and every candidate is confirmed with RE2 "
                                  "(slow)"));
      }
      std::optional<std::vector<std::string>> atoms =
          RegexAtoms(p.value, p.cased, options.min_atom_bytes, set.options().re2_max_mem);
      if (atoms && atoms->empty()) {
        warn(p.line, absl::StrCat(where, "regex without a literal of ", options.min_atom_bytes,
                                  "+ bytes that every match contains: no literal prefilter, it "
                                  "is run over every byte of every block"));
      }
    }
    if (rule.uuid.empty() && rule.examples.empty()) {
      warn(rule.source_line, "no examples: `rules check` cannot test this rule");
    }
  }
  return out;
}

std::string FormatLintFinding(const LintFinding& f) {
  return absl::StrCat(f.file, ":", f.line, ": ",
                      f.severity == LintFinding::Severity::kError ? "error" : "warning",
                      ": rule '", f.rule_id, "': ", f.message);
}

}  // namespace sbscan::signatures
