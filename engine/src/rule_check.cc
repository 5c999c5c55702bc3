#include "engine/src/rule_check.h"

#include "absl/strings/str_cat.h"
#include "engine/src/analyzer.h"

namespace sbscan {
namespace {

std::string Shorten(std::string_view text) {
  constexpr size_t kMax = 120;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

}  // namespace

std::vector<ExampleFailure> CheckRuleExamples(std::shared_ptr<const signatures::RuleSet> rules,
                                              const AnalysisOptions& options) {
  Analyzer analyzer(rules, options);
  std::vector<ExampleFailure> failures;
  for (const signatures::Rule& rule : rules->rules()) {
    for (const signatures::Example& example : rule.examples) {
      FragmentSpan span{1, 0, static_cast<uint32_t>(example.text.size()), -1};
      ScriptBlock block;
      block.host = "example";
      block.script_block_id = "00000000-0000-0000-0000-000000000000";
      block.text = example.text;
      block.path = example.path;
      block.level = example.level;
      block.fragments_total = 1;
      block.fragments = std::span<const FragmentSpan>(&span, 1);
      bool fired = false;
      analyzer.Analyze(block, [&](const Alert& alert) { fired |= alert.rule.id == rule.id; });
      if (fired == example.must_match) continue;
      failures.push_back(ExampleFailure{
          rule.source_file, example.line > 0 ? example.line : rule.source_line, rule.id,
          absl::StrCat(example.must_match ? "should match but did not: "
                                          : "should not match but did: ",
                       Shorten(example.text))});
    }
  }
  return failures;
}

}  // namespace sbscan
