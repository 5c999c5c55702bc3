// sbscan CLI: options shared by the subcommands, and the counters report.
#ifndef SBSCAN_TOOLS_SBSCAN_CLI_OPTIONS_H_
#define SBSCAN_TOOLS_SBSCAN_CLI_OPTIONS_H_

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/src/line_reader.h"
#include "sbscan/options.h"
#include "sbscan/scanner.h"
#include "sbscan/stats.h"

namespace sbscan::cli {

// Exit codes, as grep: 0 = alerts, 1 = no alerts, 2 = error.
inline constexpr int kExitAlerts = 0;
inline constexpr int kExitNoAlerts = 1;
inline constexpr int kExitError = 2;

struct CommonOptions {
  std::vector<std::string> rule_paths;
  bool no_bundled = false;
  std::string min_level;
  std::vector<std::string> include, exclude;  // --include / --exclude GLOB
  std::vector<std::string> fields;  // --field NAME=PATH
  ScannerOptions scanner;
  LineReaderOptions reader;
};

// Adds --rules, --no-bundled and the reassembly/decoding/limit options to a subcommand.
void AddCommonOptions(CLI::App* app, CommonOptions* options);

// Turns --field specs into options.scanner.json_fields; prints the error and returns false.
bool ApplyFieldMappings(CommonOptions* options);

// Loads and compiles the rules the options name; prints the error and returns null on failure.
// Each Sigma rule that could not be loaded is printed ("file:line: id: why") and, when
// `skipped` is set, added to it.
std::shared_ptr<const signatures::RuleSet> LoadRulesOrReport(
    const CommonOptions& options, std::vector<std::string>* skipped = nullptr);

// Reads `files` ("-" = stdin) one after the other into `scanner` (any supported format), then
// calls scanner->Finish(). Prints each file that cannot be read; returns false if one could not.
bool ReadInputsInto(const std::vector<std::string>& files, const CommonOptions& options,
                    Scanner* scanner, std::atomic<uint64_t>* progress_bytes = nullptr);

// Expands INPUT arguments (none = stdin) into files; prints the error and returns false.
bool ExpandInputsOrReport(const std::vector<std::string>& inputs, std::vector<std::string>* files);

// Writes the counters to `out` in the --stats format.
void PrintStats(const Stats& stats, double seconds, std::FILE* out);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_CLI_OPTIONS_H_
