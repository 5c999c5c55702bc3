// `sbscan explain`: for each block of the given events, which patterns of which rules hit where
// (layer, offset, fragment), which selections and conditions held, and the decode path.
#include <cstdio>
#include <memory>
#include <string>
#include <tuple>

#include "engine/src/alert_json.h"
#include "engine/src/json_writer.h"
#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"

namespace sbscan::cli {
namespace {

struct ExplainOptions {
  std::vector<std::string> inputs;
  CommonOptions common;
  bool json = false;
};

// Prints one block's findings as they arrive: a header when a new block starts, then one entry
// per rule with a pattern hit.
class ExplainPrinter {
 public:
  void Print(const Alert& alert) {
    const ScriptBlock& b = *alert.block;
    auto key = std::make_tuple(b.text.data(), b.text.size(), std::string(b.host),
                               std::string(b.script_block_id), std::string(b.time_created));
    if (key != last_block_) {
      last_block_ = key;
      ++blocks_shown_;
      std::string state = "complete";
      if (!b.complete()) state = "partial (" + std::string(PartialCauseName(b.partial_cause)) + ")";
      std::printf("block %.*s on %.*s: fragments %zu of %d, %s; %zu bytes; %s",
                  static_cast<int>(b.script_block_id.size()), b.script_block_id.data(),
                  static_cast<int>(b.host.size()), b.host.data(), b.fragments.size(),
                  b.fragments_total, state.c_str(), b.text.size(),
                  std::string(b.source_file).c_str());
      if (b.location.line > 0) std::printf(":%llu", (unsigned long long)b.location.line);
      std::printf("\n");
    }
    if (alert.condition_held) ++fired_;
    std::printf("  %s %.*s (%.*s) \"%.*s\": condition %s: %.*s\n",
                alert.condition_held ? "FIRED" : "no   ", static_cast<int>(alert.rule.id.size()),
                alert.rule.id.data(), static_cast<int>(alert.rule.level.size()),
                alert.rule.level.data(), static_cast<int>(alert.rule.title.size()),
                alert.rule.title.data(), alert.condition_held ? "held" : "did not hold",
                static_cast<int>(alert.rule.condition.size()), alert.rule.condition.data());
    if (alert.obfuscation != nullptr) {
      std::printf("    obfuscation score %.3f (threshold %.3f)\n", alert.obfuscation->score,
                  alert.obfuscation->threshold);
    }
    if (!alert.selections.empty()) {
      std::string names;
      for (std::string_view n : alert.selections) {
        if (!names.empty()) names += ", ";
        names += n;
      }
      std::printf("    selections that held: %s\n", names.c_str());
    }
    for (const AlertMatch& m : alert.matches) {
      std::printf("    %.*s: %.*s", static_cast<int>(m.pattern.size()), m.pattern.data(),
                  static_cast<int>(m.field.size()), m.field.data());
      if (m.field == "text") {
        std::printf(" layer %d offset %zu length %zu", m.layer, m.begin, m.end - m.begin);
      }
      if (m.fragment > 0) std::printf(" fragment %d", m.fragment);
      std::string excerpt;
      AppendJsonString(m.excerpt, &excerpt);
      std::printf(": %s\n", excerpt.c_str());
    }
    if (alert.total_matches > alert.matches.size()) {
      std::printf("    (%llu matches in all; at most 8 recorded per pattern)\n",
                  (unsigned long long)alert.total_matches);
    }
    for (const DecodeStep& s : alert.decode_path) {
      std::printf("    layer %d = %.*s (%.*s%s%.*s) of layer %d bytes [%zu, %zu)\n", s.layer,
                  static_cast<int>(s.decoder.size()), s.decoder.data(),
                  static_cast<int>(s.encoding.size()), s.encoding.data(), s.note.empty() ? "" : ", ",
                  static_cast<int>(s.note.size()), s.note.data(), s.parent, s.parent_begin,
                  s.parent_end);
    }
  }
  uint64_t blocks_shown() const { return blocks_shown_; }
  uint64_t fired() const { return fired_; }

 private:
  std::tuple<const char*, size_t, std::string, std::string, std::string> last_block_;
  uint64_t blocks_shown_ = 0;
  uint64_t fired_ = 0;
};

int RunExplain(ExplainOptions& o) {
  if (!ApplyFieldMappings(&o.common)) return kExitError;
  ScannerOptions options = o.common.scanner;
  options.analysis.report_near_misses = true;
  if (absl::Status s = ValidateOptions(options); !s.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(s.message()).c_str());
    return kExitError;
  }
  std::vector<std::string> files;
  if (!ExpandInputsOrReport(o.inputs, &files)) return kExitError;
  std::shared_ptr<const signatures::RuleSet> rules = LoadRulesOrReport(o.common);
  if (rules == nullptr) return kExitError;
  ExplainPrinter printer;
  std::string line;
  uint64_t fired = 0;
  Scanner scanner(
      rules, options,
      [&](const Alert& alert) {
        if (!o.json) return printer.Print(alert);
        fired += alert.condition_held;
        line.clear();
        AppendAlertJson(alert, &line);
        std::fwrite(line.data(), 1, line.size(), stdout);
      },
      [](const Diagnostic& d) {
        std::fprintf(stderr, "sbscan: %s:%llu: skipped: %.*s\n", std::string(d.where.file).c_str(),
                     (unsigned long long)(d.where.line > 0 ? d.where.line : d.where.offset),
                     static_cast<int>(d.reason.size()), d.reason.data());
      });
  bool ok = ReadInputsInto(files, o.common, &scanner);
  Stats stats = scanner.stats();
  if (!o.json) {
    fired = printer.fired();
    std::printf("%llu blocks analyzed, %llu with a pattern hit, %llu alerts\n",
                (unsigned long long)stats.analysis.blocks,
                (unsigned long long)printer.blocks_shown(), (unsigned long long)fired);
  }
  if (!ok) return kExitError;
  return fired > 0 ? kExitAlerts : kExitNoAlerts;
}

}  // namespace

Command AddExplainCommand(CLI::App* app) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app->add_subcommand(
      "explain",
      "For each script block of the given events: every rule with a pattern hit, whether its "
      "condition held (and which Sigma selections did), each match (field, layer, offset, "
      "fragment, excerpt) and the decode path to it. Narrow it with --include. Exit 0 = an "
      "alert, 1 = none, 2 = error.");
  cmd->add_option("inputs", o->inputs, "Files, directories (recursive) or - for stdin (default)")
      ->type_name("INPUT...");
  cmd->add_flag("--json", o->json,
                "Alert JSON lines instead, near misses included with "
                "\"sbscan.condition_held\": false");
  AddCommonOptions(cmd, &o->common);
  return [o] { return RunExplain(*o); };
}

}  // namespace sbscan::cli
