// `sbscan scan`: JSON lines in (files, directories, stdin), alerts out as JSON lines.
#include <unistd.h>

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <cstdio>
#include <memory>

#include "engine/src/alert_json.h"
#include "engine/src/file_input.h"
#include "engine/src/input_paths.h"
#include "engine/src/parallel_scanner.h"
#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"
#include "tools/sbscan/follow.h"
#include "tools/sbscan/progress.h"
#include "tools/sbscan/rule_summary.h"

namespace sbscan::cli {
namespace {

struct ScanOptions {
  CommonOptions common;
  std::vector<std::string> inputs;
  std::string output = "-";
  bool stats = false;
  uint64_t max_errors = 10;
  int threads = 0;
  bool follow = false;
  bool summary = false;
};

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void OnStopSignal(int) { g_stop.store(true); }
void OnReloadSignal(int) { g_reload.store(true); }

// The alert output shared by all workers: whole lines are written under a lock.
struct AlertOutput {
  std::FILE* file = nullptr;
  bool eager = false;  // flush every alert (a terminal, or a stream read from stdin)
  std::mutex mu;
  std::atomic<uint64_t> alerts{0};  // for the progress line
  RuleAlertCounts per_rule;         // --summary; merged from the writers under `mu`
};

// One worker's alert lines, written out in large pieces (each alert when eager).
class AlertWriter {
 public:
  explicit AlertWriter(AlertOutput* out) : out_(out) {}
  ~AlertWriter() { Flush(); }
  void Write(const Alert& alert) {
    out_->alerts.fetch_add(1, std::memory_order_relaxed);
    per_rule_.Count(alert.rule.id);
    AppendAlertJson(alert, &buffer_);
    if (out_->eager || buffer_.size() >= (1u << 16)) Flush();
  }
  void Flush() {
    std::lock_guard<std::mutex> lock(out_->mu);
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), out_->file);
    buffer_.clear();
    std::fflush(out_->file);
    out_->per_rule.Merge(&per_rule_);
  }

 private:
  AlertOutput* out_;
  std::string buffer_;
  RuleAlertCounts per_rule_;
};

// SIGHUP in --follow: compiles the rules again from the same sources and swaps them in between
// records; a set that does not load or compile is rejected and the running one kept.
void ReloadRules(const CommonOptions& common, Scanner* scanner,
                 std::shared_ptr<const signatures::RuleSet>* rules) {
  std::shared_ptr<const signatures::RuleSet> fresh = LoadRulesOrReport(common);
  if (fresh != nullptr) {
    if (absl::Status s = scanner->SetRules(fresh); s.ok()) {
      *rules = fresh;
      std::fprintf(stderr, "sbscan: SIGHUP: rules reloaded: %zu rules, %zu patterns\n",
                   fresh->rules().size(), fresh->pattern_count());
      return;
    }
  }
  std::fprintf(stderr, "sbscan: SIGHUP: new rules rejected; still running the previous %zu rules\n",
               (*rules)->rules().size());
}

// True when every file is uncompressed JSON lines (what the parallel path reads).
bool AllPlainJsonLines(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f == nullptr) return false;
    char head[4096];
    size_t n = std::fread(head, 1, sizeof(head), f);
    std::fclose(f);
    std::string_view h(head, n);
    if (h.substr(0, 2) == "\x1f\x8b" || DetectInputFormat(h) != InputFormat::kJsonLines) {
      return false;
    }
  }
  return true;
}

// Scans regular files with `threads` workers over their mapped bytes.
Stats ScanParallel(const std::vector<std::string>& files,
                   std::shared_ptr<const signatures::RuleSet> rules, const ScanOptions& o,
                   int threads, AlertOutput* out, const Scanner::DiagnosticCallback& diagnose,
                   std::atomic<uint64_t>* progress_bytes, bool* failed) {
  std::vector<MappedFile> maps;
  std::vector<InputBuffer> inputs;
  for (const std::string& file : files) {
    MappedFile map;
    if (!map.Open(file)) {
      std::fprintf(stderr, "sbscan: %s: cannot open: %s\n", file.c_str(), std::strerror(errno));
      *failed = true;
      continue;
    }
    inputs.push_back({file, map.bytes()});
    maps.push_back(std::move(map));
  }
  ParallelOptions parallel;
  parallel.threads = threads;
  parallel.progress_bytes = progress_bytes;
  parallel.max_line_bytes = o.common.reader.max_line_bytes;
  std::vector<std::unique_ptr<AlertWriter>> writers;
  for (int i = 0; i < threads; ++i) writers.push_back(std::make_unique<AlertWriter>(out));
  return ScanBuffersParallel(
      inputs, rules, o.common.scanner, parallel,
      [&](int worker) -> Scanner::AlertCallback {
        AlertWriter* w = writers[worker].get();
        return [w](const Alert& alert) { w->Write(alert); };
      },
      diagnose);
}

int RunScan(ScanOptions& o) {
  if (!ApplyFieldMappings(&o.common)) return kExitError;
  if (absl::Status s = ValidateOptions(o.common.scanner); !s.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(s.message()).c_str());
    return kExitError;
  }
  std::vector<std::string> expanded;
  if (!ExpandInputsOrReport(o.inputs, &expanded)) return kExitError;
  const std::vector<std::string>* files = &expanded;
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
  AlertOutput output;
  output.file = out;
  output.eager = reads_stdin || isatty(fileno(out));
  int threads = o.threads > 0 ? o.threads
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  uint64_t reported = 0;
  Scanner::DiagnosticCallback diagnose = [&](const Diagnostic& d) {
        if (++reported > o.max_errors) return;
        // file:line for line-oriented inputs, file@offset for EVTX and XML.
        std::string where(d.where.file);
        where += d.where.line > 0 ? ":" + std::to_string(d.where.line)
                                  : "@" + std::to_string(d.where.offset);
        std::fprintf(stderr, "sbscan: %s: skipped: %.*s\n", where.c_str(),
                     static_cast<int>(d.reason.size()), d.reason.data());
        if (reported == o.max_errors) {
          std::fprintf(stderr, "sbscan: further skipped records are only counted (--stats)\n");
        }
      };
  bool failed = false;
  auto start = std::chrono::steady_clock::now();
  Stats stats;
  std::atomic<uint64_t> progress_bytes{0};
  uint64_t total_bytes = 0;
  for (const std::string& file : *files) {
    struct stat st;
    if (file != "-" && ::stat(file.c_str(), &st) == 0) total_bytes += st.st_size;
  }
  if (o.follow) {
    if (files->size() != 1 || files->front() == "-") {
      std::fprintf(stderr, "sbscan: --follow takes exactly one file\n");
      return kExitError;
    }
    output.eager = true;
    struct sigaction action = {};
    action.sa_handler = OnStopSignal;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    struct sigaction reload = {};
    reload.sa_handler = OnReloadSignal;
    sigaction(SIGHUP, &reload, nullptr);
    AlertWriter writer(&output);
    Scanner scanner(
        rules, o.common.scanner, [&writer](const Alert& alert) { writer.Write(alert); },
        diagnose);
    LineReader reader(o.common.reader);
    FollowOptions follow;
    follow.idle_flush_seconds = o.common.scanner.reassembly.window_seconds;
    auto between_reads = [&] {
      writer.Flush();
      if (g_reload.exchange(false)) ReloadRules(o.common, &scanner, &rules);
    };
    if (absl::Status s =
            FollowJsonLinesFile(files->front(), follow, reader, scanner, g_stop, between_reads);
        !s.ok()) {
      std::fprintf(stderr, "sbscan: %s: %s\n", files->front().c_str(),
                   std::string(s.message()).c_str());
      failed = true;
    }
    stats = scanner.stats();
  } else if (threads > 1 && !reads_stdin && AllPlainJsonLines(*files)) {
    Progress progress(&progress_bytes, &output.alerts, total_bytes);
    stats = ScanParallel(*files, rules, o, threads, &output, diagnose, &progress_bytes, &failed);
  } else {
    AlertWriter writer(&output);
    Scanner scanner(
        rules, o.common.scanner, [&writer](const Alert& alert) { writer.Write(alert); },
        diagnose);
    Progress progress(&progress_bytes, &output.alerts, total_bytes);
    if (!ReadInputsInto(*files, o.common, &scanner, &progress_bytes)) failed = true;
    stats = scanner.stats();
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.stats) PrintStats(stats, seconds, stderr);
  if (o.summary) {
    std::lock_guard<std::mutex> lock(output.mu);
    PrintRuleSummary(*rules, output.per_rule, stats.analysis.blocks, stderr);
  }
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
      "Scan PowerShell events and write one alert per (script block, rule) as JSON lines. "
      "Inputs: EVTX, Windows Event XML, JSON lines (flat, Winlogbeat, Elastic ECS, evtx_dump, "
      "NXLog), PowerShell transcripts; gzip-compressed or not; detected by content. Events: "
      "4104 (reassembled), 4103 (module logging), 400/403/800 (remote-session evidence). "
      "Exit 0 = alerts, 1 = none, 2 = error.");
  scan->add_option("inputs", o->inputs,
                   "Files, directories (recursive) or - for stdin (default)")
      ->type_name("INPUT...");
  scan->add_option("-o,--output", o->output, "Write alerts to FILE instead of stdout")
      ->type_name("FILE");
  scan->add_flag("--stats", o->stats, "Print counters and throughput to stderr at the end");
  scan->add_flag("--summary", o->summary,
                 "Print on stderr at the end, for every rule, the alerts it raised and the "
                 "blocks scanned (rules that never fired included)");
  scan->add_flag("--follow", o->follow,
                 "Keep reading one growing file like tail -F (rotation and truncation "
                 "survived); open blocks are analyzed as partial after --window seconds of "
                 "quiet; SIGINT/SIGTERM stop cleanly with the final --stats; SIGHUP reloads the rules "
                 "(a set that does not compile is rejected and the running one kept)");
  scan->add_option("-j,--threads", o->threads,
                   "Worker threads (0 = one per core). Files are sharded by (host, "
                   "ScriptBlockId) across workers; stdin is read by one thread")
      ->capture_default_str();
  scan->add_option("--max-errors", o->max_errors,
                   "Skipped records reported on stderr before they are only counted")
      ->capture_default_str();
  AddCommonOptions(scan, &o->common);
  return [o] { return RunScan(*o); };
}

}  // namespace sbscan::cli
