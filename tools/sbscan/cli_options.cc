#include "tools/sbscan/cli_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/src/file_input.h"
#include "engine/src/input_paths.h"

namespace sbscan::cli {
namespace {

// Parses "256M", "1G", "4096", "64k" into bytes.
bool ParseBytes(std::string text, size_t* out) {
  uint64_t multiplier = 1;
  if (!text.empty()) {
    switch (absl::ascii_tolower(text.back())) {
      case 'k': multiplier = 1ull << 10; break;
      case 'm': multiplier = 1ull << 20; break;
      case 'g': multiplier = 1ull << 30; break;
      default: break;
    }
    if (multiplier != 1) text.pop_back();
  }
  uint64_t n;
  if (!absl::SimpleAtoi(text, &n)) return false;
  *out = static_cast<size_t>(n * multiplier);
  return true;
}

CLI::Option* AddBytes(CLI::App* app, const std::string& name, size_t* target,
                      const std::string& help) {
  return app->add_option_function<std::string>(
      name,
      [target, name](const std::string& value) {
        if (!ParseBytes(value, target)) {
          throw CLI::ValidationError(name, "expected a size such as 4096, 64K, 256M or 1G");
        }
      },
      help + " (default " + std::to_string(*target >> 20) + "M)");
}

}  // namespace

void AddCommonOptions(CLI::App* app, CommonOptions* o) {
  app->add_option("--rules", o->rule_paths,
                  "Rule file or directory (*.yml, searched recursively), native or Sigma "
                  "ps_script; repeatable")
      ->type_name("PATH")
      ->allow_extra_args(false);
  // (Native and Sigma rule files are told apart by content: Sigma has a detection: section.)
  app->add_flag("--no-bundled", o->no_bundled, "Do not load the bundled rules");
  app->add_option("--min-level", o->min_level,
                  "Only rules of this level or above: informational, low, medium, high, "
                  "critical");
  app->add_option("--include", o->include,
                  "Only rules whose id, Sigma id, tag or technique id matches this glob "
                  "(e.g. 'sigma.*', 'attack.t1059*', 'T1003.001'); repeatable")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  app->add_option("--exclude", o->exclude,
                  "Drop the rules whose id, Sigma id, tag or technique id matches this glob; "
                  "repeatable")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  ReassemblyOptions& r = o->scanner.reassembly;
  app->add_option("--window", r.window_seconds,
                  "Seconds of stream time an incomplete block stays open before it is "
                  "analyzed as partial")
      ->capture_default_str();
  AddBytes(app, "--max-open-bytes", &r.max_open_bytes,
           "Fragment text held in open blocks; past it the oldest are analyzed as partial");
  app->add_option("--max-open-blocks", r.max_open_blocks, "Open blocks held at most")
      ->capture_default_str();
  DecodeOptions& d = o->scanner.analysis.decode;
  app->add_flag_function("--no-decode", [&d](int64_t) { d.enabled = false; },
                "Do not decode payloads (scan the block text only)");
  app->add_option("--field", o->fields,
                  "NAME=PATH: where an event field lies in a JSON shape sbscan does not detect "
                  "(e.g. ScriptBlockText=data.sb.text); repeatable")
      ->type_name("NAME=PATH")
      ->allow_extra_args(false);
  AnalysisOptions& a = o->scanner.analysis;
  app->add_flag_function("--no-obfuscation-score", [&a](int64_t) { a.obfuscation_score = false; },
                         "Do not score blocks for obfuscation (no sbscan.obfuscation.score)");
  app->add_option("--obfuscation-threshold", a.obfuscation_threshold,
                  "Score at or above which a block raises sbscan.obfuscation.score (0..1)")
      ->capture_default_str();
  app->add_option("--max-decode-depth", d.max_depth, "Decoded layers below the block text")
      ->capture_default_str();
  AddBytes(app, "--max-decoded-bytes", &d.max_decoded_bytes,
           "Decoded bytes per block, all layers together");
  AddBytes(app, "--max-line-bytes", &o->reader.max_line_bytes,
           "Longer input lines are skipped and reported");
}

bool ApplyFieldMappings(CommonOptions* o) {
  o->scanner.json_fields.clear();
  for (const std::string& spec : o->fields) {
    JsonFieldMapping m;
    if (absl::Status s = ParseJsonFieldMapping(spec, &m); !s.ok()) {
      std::fprintf(stderr, "sbscan: %s\n", std::string(s.message()).c_str());
      return false;
    }
    o->scanner.json_fields.push_back(std::move(m));
  }
  return true;
}

std::shared_ptr<const signatures::RuleSet> LoadRulesOrReport(const CommonOptions& o,
                                                             std::vector<std::string>* skipped_out) {
  RuleSources sources;
  sources.bundled = !o.no_bundled;
  sources.paths = o.rule_paths;
  sources.min_level = o.min_level;
  sources.include = o.include;
  sources.exclude = o.exclude;
  std::vector<std::string> skipped;
  sources.skipped = &skipped;
  if (!sources.bundled && sources.paths.empty()) {
    std::fprintf(stderr, "sbscan: --no-bundled needs at least one --rules PATH\n");
    return nullptr;
  }
  absl::StatusOr<std::shared_ptr<const signatures::RuleSet>> rules = LoadRuleSet(sources);
  for (const std::string& s : skipped) {
    std::fprintf(stderr, "sbscan: Sigma rule not loaded: %s\n", s.c_str());
  }
  if (skipped_out != nullptr) skipped_out->insert(skipped_out->end(), skipped.begin(), skipped.end());
  if (!rules.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(rules.status().message()).c_str());
    return nullptr;
  }
  return *rules;
}

bool ReadInputsInto(const std::vector<std::string>& files, const CommonOptions& o,
                    Scanner* scanner, std::atomic<uint64_t>* progress_bytes) {
  InputOptions input_options;
  input_options.lines = o.reader;
  input_options.progress_bytes = progress_bytes;
  InputReader reader(input_options);
  bool ok = true;
  for (const std::string& file : files) {
    if (absl::Status s = reader.ReadFile(file, *scanner); !s.ok()) {
      std::fprintf(stderr, "sbscan: %s\n", std::string(s.message()).c_str());
      ok = false;
    }
  }
  scanner->Finish();
  return ok;
}

bool ExpandInputsOrReport(const std::vector<std::string>& inputs, std::vector<std::string>* files) {
  absl::StatusOr<std::vector<std::string>> expanded =
      ExpandInputPaths(inputs.empty() ? std::vector<std::string>{"-"} : inputs);
  if (!expanded.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(expanded.status().message()).c_str());
    return false;
  }
  *files = *std::move(expanded);
  return true;
}

void PrintStats(const Stats& s, double seconds, std::FILE* out) {
  const ReassemblyStats& r = s.reassembly;
  const AnalysisStats& a = s.analysis;
  double mb = static_cast<double>(s.bytes) / 1e6;
  std::fprintf(out,
               "sbscan: records %llu (4104: %llu, 4103: %llu, 400/403/800: %llu, passed by: "
               "%llu, malformed: %llu), transcript commands %llu, %.1f MB\n",
               (unsigned long long)s.records, (unsigned long long)s.events_4104,
               (unsigned long long)s.events_4103, (unsigned long long)s.events_session,
               (unsigned long long)s.passed_by, (unsigned long long)s.malformed,
               (unsigned long long)s.transcript_commands, mb);
  std::fprintf(out,
               "sbscan: fragments %llu: blocks complete %llu, partial %llu (window %llu, "
               "memory %llu, end of input %llu); duplicates %llu exact, %llu conflicting; "
               "late %llu; rejected %llu (no id %llu, bad number %llu); open peak %llu "
               "blocks, %llu bytes\n",
               (unsigned long long)r.fragments, (unsigned long long)r.blocks_complete,
               (unsigned long long)r.blocks_partial, (unsigned long long)r.partial_window,
               (unsigned long long)r.partial_memory, (unsigned long long)r.partial_end_of_input,
               (unsigned long long)r.duplicates_exact,
               (unsigned long long)r.duplicates_conflicting, (unsigned long long)r.late_fragments,
               (unsigned long long)(r.rejected_no_id + r.rejected_bad_number),
               (unsigned long long)r.rejected_no_id, (unsigned long long)r.rejected_bad_number,
               (unsigned long long)r.open_blocks_peak, (unsigned long long)r.open_bytes_peak);
  std::fprintf(out,
               "sbscan: analyzed %llu blocks (%.1f MB text); decoded %llu layers (%.1f MB), "
               "malformed %llu, limits hit: depth %llu, bytes %llu, candidates %llu; "
               "obfuscated %llu of %llu scored; alerts %llu\n",
               (unsigned long long)a.blocks, a.text_bytes / 1e6,
               (unsigned long long)a.layers_decoded, a.decoded_bytes / 1e6,
               (unsigned long long)a.decode_malformed, (unsigned long long)a.decode_depth_limit,
               (unsigned long long)a.decode_bytes_limit,
               (unsigned long long)a.decode_candidate_limit, (unsigned long long)a.obfuscated,
               (unsigned long long)a.obfuscation_scored, (unsigned long long)a.alerts);
  if (seconds > 0) {
    std::fprintf(out, "sbscan: %.3f s, %.1f MB/s, %.0f events/s\n", seconds, mb / seconds,
                 s.records / seconds);
  }
}

}  // namespace sbscan::cli
