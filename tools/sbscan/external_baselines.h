// sbscan CLI: the external baselines of `sbscan bench`: ripgrep and YARA run as subprocesses with
// the rule set's patterns (tools/sbscan/pattern_export.h) on the same corpus file.
#ifndef SBSCAN_TOOLS_SBSCAN_EXTERNAL_BASELINES_H_
#define SBSCAN_TOOLS_SBSCAN_EXTERNAL_BASELINES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "signatures/rule.h"
#include "tools/sbscan/pattern_export.h"

namespace sbscan::cli {

// One external tool timed on a corpus file. When `skipped` is not empty nothing was timed and
// it says why ("rg not found", or the tool's error).
struct ExternalBaseline {
  std::string name;      // "ripgrep", "yara"
  std::string version;   // the tool's version line
  std::string command;   // the timed command line
  std::string skipped;
  PatternExport patterns;     // what was written for the tool, and what was left out (why)
  double seconds = 0;         // best of --repeat, wall time of the whole process
  double startup_seconds = 0; // best of --repeat, the same command over an empty file
  std::string result;         // what the tool found, e.g. "2874 matching lines"
  std::string note;           // how its result differs from sbscan's (e.g. whole-file scan)
};

// The ripgrep arguments of the baseline before the pattern and file arguments: bytes mode
// (--no-unicode: ASCII case folding, '.' is a byte, as Hyperscan), one thread, no config file,
// no binary detection, regex size limits raised so that a whole rule set compiles at once.
std::vector<std::string> RipgrepBaseArgs();

// Writes *patterns to `pattern_file` for `rg -f`, after leaving out (with rg's message) every
// pattern that rg rejects: when rg rejects the whole file, each pattern is tried alone on
// `empty_file` (an existing empty file). Errors: rg cannot be run, a file cannot be written, or
// rg still rejects the file.
absl::Status PrepareRipgrepPatterns(PatternExport* patterns, const std::string& pattern_file,
                                    const std::string& empty_file);

// Writes *patterns as YARA rules to `rule_file` and compiles them with yarac into
// `compiled_file`; yarac stops at the first error and names its line (one rule per line): that
// pattern is left out with yarac's message and the rest compiled again. Errors: yarac cannot be
// run, a file cannot be written, or an error that names no rule line.
absl::Status PrepareYaraRules(PatternExport* patterns, const std::string& rule_file,
                              const std::string& compiled_file);

// Times `rg --no-config --no-unicode -c -j1 -a -f PATTERNS corpus_file`: the pattern file holds
// every literal and regex of `rules` that Rust's regex syntax expresses exactly (patterns rg
// itself rejects are found one by one and left out too). `temp_dir` receives the pattern file.
// Never fails: problems end up in `skipped`.
ExternalBaseline RunRipgrepBaseline(const std::vector<signatures::Rule>& rules,
                                    const std::string& corpus_file, const std::string& temp_dir,
                                    int repeat);

// Compiles one YARA rule per pattern with `yarac` (rules yarac rejects are left out one by one,
// with its message) and times `yara -C COMPILED corpus_file`: a whole-file scan that reports
// which rules match anywhere in the file. Never fails: problems end up in `skipped`.
ExternalBaseline RunYaraBaseline(const std::vector<signatures::Rule>& rules,
                                 const std::string& corpus_file, const std::string& temp_dir,
                                 int repeat);

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_EXTERNAL_BASELINES_H_
