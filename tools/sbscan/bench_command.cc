// `sbscan bench`: end-to-end throughput on a corpus held in memory, with a parse-only baseline
// measured in the same run.
#include <simdjson.h>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "engine/src/alert_json.h"
#include "engine/src/input_paths.h"
#include "engine/src/json_event_parser.h"
#include "engine/src/parallel_scanner.h"
#include "signatures/matcher.h"
#include "signatures/rule_set.h"
#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"

namespace sbscan::cli {
namespace {

struct BenchOptions {
  CommonOptions common;
  std::vector<std::string> inputs;
  int repeat = 3;
  bool json = false;
  int rule_cost = 0;  // print the N costliest rules
  std::vector<int> threads = {1};
};

struct Corpus {
  std::string bytes;  // every file, newline-separated, plus simdjson padding
  std::vector<std::string_view> lines;
};

bool LoadCorpus(const std::vector<std::string>& files, Corpus* corpus) {
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "sbscan: %s: cannot open\n", file.c_str());
      return false;
    }
    std::ostringstream data;
    data << in.rdbuf();
    corpus->bytes += data.str();
    if (!corpus->bytes.empty() && corpus->bytes.back() != '\n') corpus->bytes += '\n';
  }
  size_t size = corpus->bytes.size();
  corpus->bytes.append(simdjson::SIMDJSON_PADDING, ' ');
  std::string_view all(corpus->bytes.data(), size);
  size_t start = 0;
  while (start < size) {
    size_t nl = all.find('\n', start);
    std::string_view line = all.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) corpus->lines.push_back(line);
    start = nl + 1;
  }
  return true;
}

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Cost of each rule on its own: every rule is compiled alone into a database and the block texts
// are scanned with it; the time over that of an empty scan is the rule's cost. Rules that are
// cheap alone are cheap together (Hyperscan shares the work), so this finds the slow ones.
void PrintRuleCost(const signatures::RuleSet& rules, const Corpus& corpus, int top) {
  std::vector<std::string> texts;
  JsonEventParser parser;
  const char* end = corpus.bytes.data() + corpus.bytes.size();
  size_t bytes = 0;
  for (std::string_view line : corpus.lines) {
    Event e;
    if (!parser.Parse(line, end - line.data(), &e).ok || e.script_block_text.empty()) continue;
    texts.emplace_back(e.script_block_text);
    bytes += texts.back().size();
    if (bytes > (size_t{32} << 20)) break;  // a 32 MB sample is plenty
  }
  auto scan_seconds = [&](std::shared_ptr<const signatures::RuleSet> set) {
    signatures::Matcher matcher(set);
    std::vector<signatures::RuleHit> hits;
    double best = 1e300;
    for (int r = 0; r < 2; ++r) {
      auto start = Clock::now();
      for (const std::string& t : texts) {
        matcher.Reset();
        matcher.ScanText(t, 0);
        hits.clear();
        matcher.Evaluate(&hits);
      }
      best = std::min(best, Seconds(start));
    }
    return best;
  };
  double all = scan_seconds(std::shared_ptr<const signatures::RuleSet>(&rules, [](auto*) {}));
  std::vector<std::pair<double, const signatures::Rule*>> costs;
  for (const signatures::Rule& rule : rules.rules()) {
    auto one = signatures::RuleSet::Compile({rule});
    if (!one.ok()) continue;
    costs.emplace_back(scan_seconds(*one), &rule);
  }
  std::sort(costs.begin(), costs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::printf("rule cost on a %.1f MB sample of block texts (all rules together: %.1f MB/s):\n",
              bytes / 1e6, bytes / 1e6 / all);
  for (int i = 0; i < top && i < static_cast<int>(costs.size()); ++i) {
    std::printf("  %8.3f ns/B  %8.1f MB/s alone  %s (%s:%d)\n", costs[i].first * 1e9 / bytes,
                bytes / 1e6 / costs[i].first, costs[i].second->id.c_str(),
                costs[i].second->source_file.c_str(), costs[i].second->source_line);
  }
}

int RunBench(const BenchOptions& o) {
  if (o.inputs.empty()) {
    std::fprintf(stderr, "sbscan bench: give a corpus (e.g. one made by sbscan-gen)\n");
    return kExitError;
  }
  absl::StatusOr<std::vector<std::string>> files = ExpandInputPaths(o.inputs);
  if (!files.ok()) {
    std::fprintf(stderr, "sbscan: %s\n", std::string(files.status().message()).c_str());
    return kExitError;
  }
  auto compile_start = Clock::now();
  std::shared_ptr<const signatures::RuleSet> rules = LoadRulesOrReport(o.common);
  if (rules == nullptr) return kExitError;
  double compile_seconds = Seconds(compile_start);
  Corpus corpus;
  if (!LoadCorpus(*files, &corpus)) return kExitError;
  if (o.rule_cost > 0) {
    PrintRuleCost(*rules, corpus, o.rule_cost);
    return 0;
  }
  const char* end = corpus.bytes.data() + corpus.bytes.size();
  double mb = static_cast<double>(corpus.bytes.size() - simdjson::SIMDJSON_PADDING) / 1e6;

  // Baseline: JSON field extraction alone.
  double parse_best = 1e300;
  for (int r = 0; r < o.repeat; ++r) {
    JsonEventParser parser;
    uint64_t found = 0;
    auto start = Clock::now();
    for (std::string_view line : corpus.lines) {
      Event e;
      found += parser.Parse(line, end - line.data(), &e).ok && e.event_id == 4104;
    }
    parse_best = std::min(parse_best, Seconds(start));
    if (found == 0) std::fprintf(stderr, "sbscan bench: warning: no 4104 event in the corpus\n");
  }

  // End to end: parse, reassemble, decode, match, format alerts; once per thread count.
  struct Run {
    int threads;
    double seconds;
    Stats stats;
  };
  std::vector<Run> runs;
  std::string_view corpus_bytes(corpus.bytes.data(),
                                corpus.bytes.size() - simdjson::SIMDJSON_PADDING);
  for (int threads : o.threads) {
    Run run{threads, 1e300, {}};
    for (int r = 0; r < o.repeat; ++r) {
      Stats stats;
      auto start = Clock::now();
      if (threads <= 1) {
        std::string sink;
        Scanner scanner(rules, o.common.scanner, [&sink](const Alert& alert) {
          AppendAlertJson(alert, &sink);
          if (sink.size() > (1u << 20)) sink.clear();
        });
        for (std::string_view line : corpus.lines) {
          scanner.AddJsonRecord(line, end - line.data(), SourceLocation{"bench", 0, 0});
        }
        scanner.Finish();
        stats = scanner.stats();
      } else {
        ParallelOptions parallel;
        parallel.threads = threads;
        std::vector<std::string> sinks(threads);
        stats = ScanBuffersParallel(
            {InputBuffer{"bench", corpus_bytes}}, rules, o.common.scanner, parallel,
            [&sinks](int w) -> Scanner::AlertCallback {
              std::string* sink = &sinks[w];
              return [sink](const Alert& alert) {
                AppendAlertJson(alert, sink);
                if (sink->size() > (1u << 20)) sink->clear();
              };
            },
            nullptr);
      }
      double s = Seconds(start);
      if (s < run.seconds) {
        run.seconds = s;
        run.stats = stats;
      }
    }
    runs.push_back(run);
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double peak_rss_mb = usage.ru_maxrss / 1024.0;
  double events = static_cast<double>(corpus.lines.size());
  if (o.json) {
    std::printf(
        "{\"bytes\":%.0f,\"records\":%.0f,\"rules\":%zu,\"patterns\":%zu,"
        "\"database_bytes\":%zu,\"compile_seconds\":%.4f,\"repeat\":%d,\"decode\":%s,"
        "\"parse_only_mb_per_s\":%.1f,\"peak_rss_mb\":%.1f,\"runs\":[",
        mb * 1e6, events, rules->rules().size(), rules->pattern_count(),
        rules->database_bytes(), compile_seconds, o.repeat,
        o.common.scanner.analysis.decode.enabled ? "true" : "false", mb / parse_best,
        peak_rss_mb);
    for (size_t i = 0; i < runs.size(); ++i) {
      const Run& r = runs[i];
      uint64_t blocks = r.stats.reassembly.blocks_complete + r.stats.reassembly.blocks_partial;
      std::printf("%s{\"threads\":%d,\"seconds\":%.4f,\"mb_per_s\":%.1f,"
                  "\"events_per_s\":%.0f,\"blocks_per_s\":%.0f,\"alerts\":%llu}",
                  i ? "," : "", r.threads, r.seconds, mb / r.seconds, events / r.seconds,
                  blocks / r.seconds, (unsigned long long)r.stats.analysis.alerts);
    }
    std::printf("]}\n");
  } else {
    std::printf("corpus: %.1f MB, %.0f records; %zu rules, %zu patterns, database %zu bytes, "
                "compiled in %.3f s\n",
                mb, events, rules->rules().size(), rules->pattern_count(),
                rules->database_bytes(), compile_seconds);
    std::printf("parse only     : %8.1f MB/s  (one thread, best of %d)\n", mb / parse_best,
                o.repeat);
    for (const Run& r : runs) {
      uint64_t blocks = r.stats.reassembly.blocks_complete + r.stats.reassembly.blocks_partial;
      std::printf("end to end -j%-2d: %8.1f MB/s  %10.0f events/s  %9.0f blocks/s  %llu alerts  "
                  "(decode %s; best of %d)\n",
                  r.threads, mb / r.seconds, events / r.seconds, blocks / r.seconds,
                  (unsigned long long)r.stats.analysis.alerts,
                  o.common.scanner.analysis.decode.enabled ? "on" : "off", o.repeat);
    }
    if (runs.size() > 1) {
      for (const Run& r : runs) {
        std::printf("speed-up -j%-2d : %.2fx over -j%d\n", r.threads,
                    runs[0].seconds / r.seconds, runs[0].threads);
      }
    }
    std::printf("peak RSS       : %.1f MB\n", peak_rss_mb);
  }
  return 0;
}

}  // namespace

Command AddBenchCommand(CLI::App* app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* bench = app->add_subcommand(
      "bench",
      "Measure throughput on a corpus held in memory (no disk I/O in the timings): end to end "
      "and a parse-only baseline in the same run, best of --repeat.");
  bench->add_option("inputs", o->inputs, "JSON-lines files or directories")
      ->type_name("INPUT...");
  bench->add_option("--repeat", o->repeat, "Runs of each measurement")->capture_default_str();
  bench->add_flag("--json", o->json, "One JSON object on stdout, to compare runs");
  bench->add_option("-j,--threads", o->threads,
                    "Thread counts to measure, e.g. -j 1,2,4 (each end to end)")
      ->delimiter(',')
      ->capture_default_str();
  bench->add_option("--rule-cost", o->rule_cost,
                    "Instead, scan with each rule alone and list the N costliest");
  AddCommonOptions(bench, &o->common);
  return [o] { return RunBench(*o); };
}

}  // namespace sbscan::cli
