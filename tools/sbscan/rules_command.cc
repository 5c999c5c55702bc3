// `sbscan rules check` and `sbscan rules list`.
#include <cstdio>
#include <memory>

#include "absl/strings/str_join.h"
#include "engine/src/rule_check.h"
#include "signatures/rule_set.h"
#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"

namespace sbscan::cli {
namespace {

struct RulesOptions {
  std::vector<std::string> files;
  CommonOptions common;
};

// Files given: check those alone (plus --rules); none: the bundled set (plus --rules).
std::shared_ptr<const signatures::RuleSet> Load(const RulesOptions& o) {
  CommonOptions common = o.common;
  if (!o.files.empty()) {
    common.no_bundled = true;
    common.rule_paths.insert(common.rule_paths.end(), o.files.begin(), o.files.end());
  }
  return LoadRulesOrReport(common);
}

int RunCheck(const RulesOptions& o) {
  std::shared_ptr<const signatures::RuleSet> rules = Load(o);
  if (rules == nullptr) return kExitError;
  size_t examples = 0;
  for (const auto& rule : rules->rules()) examples += rule.examples.size();
  std::vector<ExampleFailure> failures = CheckRuleExamples(rules, o.common.scanner.analysis);
  for (const ExampleFailure& f : failures) {
    std::fprintf(stderr, "%s:%d: rule %s: %s\n", f.file.c_str(), f.line, f.rule_id.c_str(),
                 f.message.c_str());
  }
  std::printf("%zu rules compiled into one database (%zu patterns, %zu bytes, %.3f s); "
              "%zu examples, %zu failed\n",
              rules->rules().size(), rules->pattern_count(), rules->database_bytes(),
              rules->compile_seconds(), examples, failures.size());
  return failures.empty() ? 0 : 1;
}

int RunList(const RulesOptions& o) {
  std::shared_ptr<const signatures::RuleSet> rules = Load(o);
  if (rules == nullptr) return kExitError;
  for (const auto& rule : rules->rules()) {
    std::vector<std::string> names;
    for (const auto& p : rule.patterns) names.push_back(p.name);
    std::printf("%s\t%s\t%s\t%s:%d\t%s\t%s\n", rule.id.c_str(),
                std::string(signatures::LevelName(rule.level)).c_str(), rule.title.c_str(),
                rule.source_file.c_str(), rule.source_line,
                absl::StrJoin(rule.technique_ids, ",").c_str(), absl::StrJoin(names, ",").c_str());
  }
  return 0;
}

Command AddRulesCommand(CLI::App* rules, const char* name, const char* help,
                        int (*run)(const RulesOptions&)) {
  auto o = std::make_shared<RulesOptions>();
  CLI::App* cmd = rules->add_subcommand(name, help);
  cmd->add_option("files", o->files, "Rule files or directories (default: the bundled rules)")
      ->type_name("FILE...");
  AddCommonOptions(cmd, &o->common);
  return [o, run] { return run(*o); };
}

}  // namespace

Command AddRulesCheckCommand(CLI::App* rules) {
  return AddRulesCommand(rules, "check",
                         "Compile the rules into one database and run every embedded example; "
                         "failures name file, line and rule id. Exit 0 = all good, 1 = a "
                         "failing example, 2 = a rule that does not load or compile.",
                         &RunCheck);
}

Command AddRulesListCommand(CLI::App* rules) {
  return AddRulesCommand(rules, "list",
                         "List the rules: id, level, title, file:line, techniques, patterns "
                         "(tab-separated).",
                         &RunList);
}

}  // namespace sbscan::cli
