// `sbscan rules check` and `sbscan rules list`.
#include <cstdio>
#include <memory>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/src/json_writer.h"
#include "engine/src/rule_check.h"
#include "signatures/rule_lint.h"
#include "signatures/rule_set.h"
#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"

namespace sbscan::cli {
namespace {

struct RulesOptions {
  std::vector<std::string> files;
  CommonOptions common;
  bool strict = false;               // check: warnings fail too
  std::vector<std::string> corpus;   // check: measure noise on these inputs
  double noisy_percent = 10;         // check: a rule firing on more blocks than this is noisy
  double hot_matches_per_mb = 1000;  // check: a pattern matching more often than this is hot
  bool json = false;                 // list: JSON lines
};

// Files given: check those alone (plus --rules); none: the bundled set (plus --rules).
std::shared_ptr<const signatures::RuleSet> Load(const RulesOptions& o,
                                                std::vector<std::string>* skipped = nullptr) {
  CommonOptions common = o.common;
  if (!o.files.empty()) {
    common.no_bundled = true;
    common.rule_paths.insert(common.rule_paths.end(), o.files.begin(), o.files.end());
  }
  return LoadRulesOrReport(common, skipped);
}

// Measured noise: scans the corpus with every near miss reported and warns about rules that
// fire on too many blocks and patterns that match too often.
bool CorpusFindings(const RulesOptions& o, std::shared_ptr<const signatures::RuleSet> rules,
                    std::vector<signatures::LintFinding>* out) {
  std::vector<std::string> files;
  if (!ExpandInputsOrReport(o.corpus, &files)) return false;
  struct Usage {
    uint64_t alerts = 0;
    std::unordered_map<std::string_view, uint64_t> pattern_matches;
  };
  std::unordered_map<std::string_view, Usage> usage;
  ScannerOptions options = o.common.scanner;
  options.analysis.report_near_misses = true;
  options.analysis.obfuscation_score = false;
  Scanner scanner(rules, options, [&](const Alert& alert) {
    Usage& u = usage[alert.rule.id];
    if (alert.condition_held) ++u.alerts;
    for (const AlertMatch& m : alert.matches) ++u.pattern_matches[m.pattern];
  });
  if (!ReadInputsInto(files, o.common, &scanner)) return false;
  Stats stats = scanner.stats();
  const uint64_t blocks = stats.analysis.blocks;
  const double mb = (stats.analysis.text_bytes + stats.analysis.decoded_bytes) / 1e6;
  std::printf("corpus: %llu blocks, %.1f MB of text and decoded layers\n",
              static_cast<unsigned long long>(blocks), mb);
  for (const signatures::Rule& rule : rules->rules()) {
    auto it = usage.find(rule.id);
    if (it == usage.end()) continue;
    auto warn = [&](int line, std::string message) {
      out->push_back({signatures::LintFinding::Severity::kWarning, rule.source_file,
                      line > 0 ? line : rule.source_line, rule.id, std::move(message)});
    };
    const double percent = blocks > 0 ? 100.0 * it->second.alerts / blocks : 0;
    if (percent > o.noisy_percent) {
      warn(rule.source_line, absl::StrFormat("fires on %.1f%% of the corpus blocks (%llu of %llu)",
                                             percent, (unsigned long long)it->second.alerts,
                                             (unsigned long long)blocks));
    }
    for (const signatures::Pattern& p : rule.patterns) {
      auto m = it->second.pattern_matches.find(p.name);
      if (m == it->second.pattern_matches.end() || mb <= 0) continue;
      // Recorded matches (at most 8 per block and pattern): a lower bound of the real count.
      const double per_mb = m->second / mb;
      if (per_mb > o.hot_matches_per_mb) {
        warn(p.line, absl::StrFormat("pattern '%s' matches at least %.0f times per MB of the "
                                     "corpus: a generic string, each match costs a callback",
                                     p.name, per_mb));
      }
    }
  }
  return true;
}

int RunCheck(const RulesOptions& o) {
  std::vector<std::string> skipped;
  std::shared_ptr<const signatures::RuleSet> rules = Load(o, &skipped);
  if (rules == nullptr) return kExitError;
  size_t examples = 0;
  for (const auto& rule : rules->rules()) examples += rule.examples.size();
  std::vector<ExampleFailure> failures = CheckRuleExamples(rules, o.common.scanner.analysis);
  for (const ExampleFailure& f : failures) {
    std::fprintf(stderr, "%s:%d: error: rule '%s': %s\n", f.file.c_str(), f.line,
                 f.rule_id.c_str(), f.message.c_str());
  }
  std::vector<signatures::LintFinding> findings = signatures::LintRuleSet(*rules);
  if (!o.corpus.empty() && !CorpusFindings(o, rules, &findings)) return kExitError;
  for (const signatures::LintFinding& f : findings) {
    std::fprintf(stderr, "%s\n", signatures::FormatLintFinding(f).c_str());
  }
  std::printf("%zu rules compiled into one database (%zu patterns, %zu of them deferred behind "
              "the guards of %zu rules, %zu bytes, %.3f s); "
              "%zu examples, %zu failed; %zu Sigma rules not loaded; %zu warnings\n",
              rules->rules().size(), rules->pattern_count(), rules->deferred_count(),
              rules->guarded_rule_count(), rules->database_bytes(), rules->compile_seconds(),
              examples, failures.size(), skipped.size(), findings.size());
  if (!skipped.empty()) return kExitError;
  if (!failures.empty()) return 1;
  return o.strict && !findings.empty() ? 1 : 0;
}

void AppendStringArray(const std::vector<std::string>& items, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(items[i], out);
  }
  out->push_back(']');
}

// One JSON object per rule: its metadata and patterns, as loaded.
std::string RuleJson(const signatures::Rule& rule) {
  std::string out = "{\"id\":";
  AppendJsonString(rule.id, &out);
  auto field = [&](const char* name, const std::string& value) {
    absl::StrAppend(&out, ",\"", name, "\":");
    AppendJsonString(value, &out);
  };
  auto list = [&](const char* name, const std::vector<std::string>& value) {
    absl::StrAppend(&out, ",\"", name, "\":");
    AppendStringArray(value, &out);
  };
  field("uuid", rule.uuid);
  field("title", rule.title);
  field("level", std::string(signatures::LevelName(rule.level)));
  field("status", rule.status);
  field("author", rule.author);
  field("ruleset", rule.ruleset);
  field("file", rule.source_file);
  absl::StrAppend(&out, ",\"line\":", rule.source_line);
  list("techniques", rule.technique_ids);
  list("tactics", rule.tactics);
  list("tags", rule.tags);
  list("references", rule.references);
  list("falsepositives", rule.falsepositives);
  field("condition", rule.original_condition.empty() ? rule.condition : rule.original_condition);
  out += ",\"patterns\":[";
  for (size_t i = 0; i < rule.patterns.size(); ++i) {
    const signatures::Pattern& p = rule.patterns[i];
    if (i > 0) out.push_back(',');
    out += "{\"name\":";
    AppendJsonString(p.name, &out);
    out += ",\"kind\":";
    AppendJsonString(p.kind == signatures::Pattern::Kind::kLiteral ? "literal"
                     : p.kind == signatures::Pattern::Kind::kRegex ? "regex"
                                                                    : "level",
                     &out);
    if (p.kind == signatures::Pattern::Kind::kLevel) {
      absl::StrAppend(&out, ",\"level\":", p.level, "}");
      continue;
    }
    out += ",\"value\":";
    AppendJsonString(p.value, &out);
    absl::StrAppend(&out, ",\"field\":\"", std::string(signatures::FieldName(p.field)),
                    "\",\"cased\":", p.cased ? "true" : "false", "}");
  }
  out += "]}\n";
  return out;
}

int RunList(const RulesOptions& o) {
  std::shared_ptr<const signatures::RuleSet> rules = Load(o);
  if (rules == nullptr) return kExitError;
  for (const auto& rule : rules->rules()) {
    if (o.json) {
      std::fputs(RuleJson(rule).c_str(), stdout);
      continue;
    }
    std::vector<std::string> names;
    for (const auto& p : rule.patterns) names.push_back(p.name);
    std::printf("%s\t%s\t%s\t%s:%d\t%s\t%s\n", rule.id.c_str(),
                std::string(signatures::LevelName(rule.level)).c_str(), rule.title.c_str(),
                rule.source_file.c_str(), rule.source_line,
                absl::StrJoin(rule.technique_ids, ",").c_str(), absl::StrJoin(names, ",").c_str());
  }
  return 0;
}

CLI::App* AddRulesCommand(CLI::App* rules, const char* name, const char* help,
                          std::shared_ptr<RulesOptions> o) {
  CLI::App* cmd = rules->add_subcommand(name, help);
  cmd->add_option("files", o->files, "Rule files or directories (default: the bundled rules)")
      ->type_name("FILE...");
  AddCommonOptions(cmd, &o->common);
  return cmd;
}

}  // namespace

Command AddRulesCheckCommand(CLI::App* rules) {
  auto o = std::make_shared<RulesOptions>();
  CLI::App* cmd = AddRulesCommand(
      rules, "check",
      "Compile the rules into one database, run every embedded example and lint them: "
      "findings name file, line and rule id. Errors: a rule that does not load or compile, a "
      "Sigma rule that cannot be translated exactly, a failing example. Warnings: a condition "
      "that holds on nothing, a literal under 4 bytes, a regex without a literal prefilter or "
      "that Hyperscan compiles only in prefilter mode, a native rule without examples; with "
      "--corpus, rules that fire on too many blocks and patterns that match too often. Exit 0 = "
      "good (warnings allowed unless --strict), 1 = a failing example (or a warning with "
      "--strict), 2 = a rule that does not load or compile.",
      o);
  cmd->add_flag("--strict", o->strict, "Warnings fail the check too (exit 1)");
  cmd->add_option("--corpus", o->corpus,
                  "Events (any input format) to measure the rules on: warns about noisy rules "
                  "and hot patterns; repeatable")
      ->type_name("INPUT")
      ->allow_extra_args(false);
  cmd->add_option("--noisy-percent", o->noisy_percent,
                  "With --corpus: warn about a rule that fires on more than this % of blocks")
      ->capture_default_str();
  cmd->add_option("--hot-matches-per-mb", o->hot_matches_per_mb,
                  "With --corpus: warn about a pattern matching more often than this per MB")
      ->capture_default_str();
  return [o] { return RunCheck(*o); };
}

Command AddRulesListCommand(CLI::App* rules) {
  auto o = std::make_shared<RulesOptions>();
  CLI::App* cmd = AddRulesCommand(rules, "list",
                                  "List the rules: id, level, title, file:line, techniques, "
                                  "patterns (tab-separated), or --json: one object per rule "
                                  "with its metadata and patterns.",
                                  o);
  cmd->add_flag("--json", o->json, "One JSON object per rule (metadata, condition, patterns)");
  return [o] { return RunList(*o); };
}

}  // namespace sbscan::cli
