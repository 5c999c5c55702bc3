// `sbscan scan`: JSON lines in (files, directories, stdin), alerts out as JSON lines.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "engine/src/alert_json.h"
#include "engine/src/file_input.h"
#include "engine/src/input_paths.h"
#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"

namespace sbscan::cli {
namespace {

struct ScanOptions {
  CommonOptions common;
  std::vector<std::string> inputs;
  std::string output = "-";
  bool stats = false;
  uint64_t max_errors = 10;
};

// Writes alert lines to a FILE*, in large writes; flushes each alert when `eager`.
class AlertWriter {
 public:
  AlertWriter(std::FILE* out, bool eager) : out_(out), eager_(eager) {}
  ~AlertWriter() { Flush(); }
  void Write(const Alert& alert) {
    AppendAlertJson(alert, &buffer_);
    if (eager_ || buffer_.size() >= (1u << 16)) Flush();
  }
  void Flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    buffer_.clear();
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  bool eager_;
  std::string buffer_;
};

int RunScan(const ScanOptions& o) {
  if (absl::Status s = ValidateOptions(o.common.scanner); !s.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(s.message()).c_str());
    return kExitError;
  }
  std::vector<std::string> inputs = o.inputs.empty() ? std::vector<std::string>{"-"} : o.inputs;
  absl::StatusOr<std::vector<std::string>> files = ExpandInputPaths(inputs);
  if (!files.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(files.status().message()).c_str());
    return kExitError;
  }
  std::shared_ptr<const signatures::RuleSet> rules = LoadRulesOrReport(o.common);
  if (rules == nullptr) return kExitError;

  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(nullptr, &std::fclose);
  if (o.output != "-") {
    owned.reset(std::fopen(o.output.c_str(), "w"));
    if (owned == nullptr) {
      std::fprintf(stderr, "sbscan: %s: cannot open for writing\n", o.output.c_str());
      return kExitError;
    }
    out = owned.get();
  }
  bool reads_stdin = std::find(files->begin(), files->end(), "-") != files->end();
  AlertWriter writer(out, reads_stdin || isatty(fileno(out)));

  uint64_t reported = 0;
  Scanner scanner(
      rules, o.common.scanner, [&writer](const Alert& alert) { writer.Write(alert); },
      [&](const Diagnostic& d) {
        if (++reported > o.max_errors) return;
        std::fprintf(stderr, "sbscan: %.*s:%llu: skipped: %.*s\n",
                     static_cast<int>(d.where.file.size()), d.where.file.data(),
                     static_cast<unsigned long long>(d.where.line),
                     static_cast<int>(d.reason.size()), d.reason.data());
        if (reported == o.max_errors) {
          std::fprintf(stderr, "sbscan: further skipped records are only counted (--stats)\n");
        }
      });
  LineReader reader(o.common.reader);
  bool failed = false;
  auto start = std::chrono::steady_clock::now();
  for (const std::string& file : *files) {
    if (absl::Status s = ScanJsonLinesFile(file, reader, scanner); !s.ok()) {
      std::fprintf(stderr, "sbscan: %s\n", std::string(s.message()).c_str());
      failed = true;
    }
  }
  scanner.Finish();
  writer.Flush();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Stats stats = scanner.stats();
  if (o.stats) PrintStats(stats, seconds, stderr);
  if (reported > o.max_errors) {
    std::fprintf(stderr, "sbscan: %llu records skipped in all\n",
                 static_cast<unsigned long long>(reported));
  }
  if (failed) return kExitError;
  return stats.analysis.alerts > 0 ? kExitAlerts : kExitNoAlerts;
}

}  // namespace

Command AddScanCommand(CLI::App* app) {
  auto o = std::make_shared<ScanOptions>();
  CLI::App* scan = app->add_subcommand(
      "scan",
      "Scan 4104 events (JSON lines: flat, Winlogbeat, Elastic ECS, evtx_dump, NXLog) and "
      "write one alert per (script block, rule) as JSON lines. Exit 0 = alerts, 1 = none, "
      "2 = error.");
  scan->add_option("inputs", o->inputs, "Files, directories (recursive) or - for stdin")
      ->type_name("INPUT...");
  scan->add_option("-o,--output", o->output, "Write alerts to FILE instead of stdout")
      ->type_name("FILE");
  scan->add_flag("--stats", o->stats, "Print counters and throughput to stderr at the end");
  scan->add_option("--max-errors", o->max_errors,
                   "Skipped records reported on stderr before they are only counted")
      ->capture_default_str();
  AddCommonOptions(scan, &o->common);
  return [o] { return RunScan(*o); };
}

}  // namespace sbscan::cli
