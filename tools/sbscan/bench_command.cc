// `sbscan bench`: end-to-end throughput on a corpus held in memory, with baselines measured in
// the same run on the same bytes: reading only, JSON parsing only, parse + one Hyperscan scan of
// each event's text, the scans alone, and ripgrep and YARA with the same patterns.
#include <simdjson.h>

#include <stdlib.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/src/alert_json.h"
#include "engine/src/input_paths.h"
#include "engine/src/json_event_parser.h"
#include "engine/src/json_writer.h"
#include "engine/src/parallel_scanner.h"
#include "signatures/matcher.h"
#include "signatures/rule_set.h"
#include "tools/sbscan/cli_options.h"
#include "tools/sbscan/commands.h"
#include "tools/sbscan/external_baselines.h"

namespace sbscan::cli {
namespace {

struct BenchOptions {
  CommonOptions common;
  std::vector<std::string> inputs;
  int repeat = 3;
  bool json = false;
  int rule_cost = 0;  // print the N costliest rules
  std::vector<int> threads = {1};
  bool baselines = true;  // --no-baselines: end to end and parse only, as before
  bool external = true;   // --no-external: no ripgrep / YARA
  std::string baseline_dir;  // keep the exported pattern files here
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

// The ScriptBlockText of every 4104 event of the corpus, copied into one buffer.
struct BlockTexts {
  std::string bytes;
  std::vector<std::pair<size_t, size_t>> spans;  // [begin, end) in bytes
  std::string_view text(size_t i) const {
    return std::string_view(bytes).substr(spans[i].first, spans[i].second - spans[i].first);
  }
};

// Extracts the block texts of the corpus, up to about `max_bytes` of text.
BlockTexts ExtractBlockTexts(const Corpus& corpus, size_t max_bytes) {
  BlockTexts texts;
  JsonEventParser parser;
  const char* end = corpus.bytes.data() + corpus.bytes.size();
  for (std::string_view line : corpus.lines) {
    Event e;
    if (!parser.Parse(line, end - line.data(), &e).ok || e.event_id != 4104 ||
        e.script_block_text.empty()) {
      continue;
    }
    size_t begin = texts.bytes.size();
    texts.bytes.append(e.script_block_text);
    texts.spans.emplace_back(begin, texts.bytes.size());
    if (texts.bytes.size() > max_bytes) break;
  }
  return texts;
}

// Scans each text alone (Reset, ScanText, Evaluate), as the analyzer scans a block's layer 0;
// returns the number of rule hits.
uint64_t ScanTexts(signatures::Matcher& matcher, const BlockTexts& texts,
                   std::vector<signatures::RuleHit>* hits) {
  uint64_t fired = 0;
  for (size_t i = 0; i < texts.spans.size(); ++i) {
    matcher.Reset();
    matcher.ScanText(texts.text(i), 0);
    hits->clear();
    matcher.Evaluate(hits);
    fired += hits->size();
  }
  return fired;
}

// Cost of each rule on its own: every rule is compiled alone into a database and the block texts
// are scanned with it; the time over that of an empty scan is the rule's cost. Rules that are
// cheap alone are cheap together (Hyperscan shares the work), so this finds the slow ones.
void PrintRuleCost(const signatures::RuleSet& rules, const Corpus& corpus, int top) {
  const BlockTexts texts = ExtractBlockTexts(corpus, size_t{32} << 20);  // a 32 MB sample
  const size_t bytes = texts.bytes.size();
  auto scan_seconds = [&](std::shared_ptr<const signatures::RuleSet> set) {
    signatures::Matcher matcher(set);
    std::vector<signatures::RuleHit> hits;
    double best = 1e300;
    for (int r = 0; r < 2; ++r) {
      auto start = Clock::now();
      ScanTexts(matcher, texts, &hits);
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

// One baseline measured on the corpus. `seconds` is the best of --repeat; when `skipped` is set
// nothing was measured.
struct Baseline {
  std::string name;     // "read", "parse", "parse_scan", "scan", "ripgrep", "yara"
  std::string label;    // as printed
  std::string what;     // one line on what was timed
  double seconds = 0;
  std::string skipped;
  const ExternalBaseline* external = nullptr;
};

Baseline Measured(std::string name, std::string label, std::string what, double seconds) {
  Baseline b;
  b.name = std::move(name);
  b.label = std::move(label);
  b.what = std::move(what);
  b.seconds = seconds;
  return b;
}

// Best of `repeat` wall times of `body`.
template <typename Body>
double BestOf(int repeat, Body body) {
  double best = 1e300;
  for (int r = 0; r < std::max(1, repeat); ++r) {
    auto start = Clock::now();
    body();
    best = std::min(best, Seconds(start));
  }
  return best;
}

// Reading only: the buffer split into lines with memchr, as LoadCorpus and the line reader do.
double ReadOnlySeconds(std::string_view all, int repeat, uint64_t* lines) {
  return BestOf(repeat, [&] {
    uint64_t n = 0;
    const char* p = all.data();
    const char* end = p + all.size();
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr) nl = end;
      n += nl > p;
      p = nl + 1;
    }
    *lines = n;
  });
}

// A directory for the baselines' files: `keep` (created if missing, kept), or else a temporary
// directory removed with its files when destroyed.
class TempDir {
 public:
  explicit TempDir(const std::string& keep) {
    if (!keep.empty()) {
      std::error_code error;
      std::filesystem::create_directories(keep, error);
      if (std::filesystem::is_directory(keep, error)) path_ = keep;
      keep_ = true;
      return;
    }
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/sbscan-bench-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty() && !keep_) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }  // empty when it could not be created

 private:
  std::string path_;
  bool keep_ = false;
};

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
  double peak_rss_mb = usage.ru_maxrss / 1024.0;  // of the end-to-end runs (baselines after)
  double events = static_cast<double>(corpus.lines.size());

  // Baselines on the same bytes, one thread each, best of --repeat.
  std::vector<Baseline> baselines;
  std::vector<std::unique_ptr<ExternalBaseline>> externals;
  if (o.baselines) {
    uint64_t lines = 0;
    const double read = ReadOnlySeconds(corpus_bytes, o.repeat, &lines);
    baselines.push_back(Measured("read", "read only",
                                 absl::StrCat("memchr line split of the buffer: ", lines, " lines"),
                                 read));
    baselines.push_back(
        Measured("parse", "parse only", "JSON field extraction of every line", parse_best));
    signatures::Matcher matcher(rules);
    std::vector<signatures::RuleHit> hits;
    uint64_t fired = 0;
    uint64_t scanned = 0;
    double parse_scan = BestOf(o.repeat, [&] {
      JsonEventParser parser;
      fired = scanned = 0;
      for (std::string_view line : corpus.lines) {
        Event e;
        if (!parser.Parse(line, end - line.data(), &e).ok || e.event_id != 4104 ||
            e.script_block_text.empty()) {
          continue;
        }
        matcher.Reset();
        matcher.ScanText(e.script_block_text, 0);
        hits.clear();
        matcher.Evaluate(&hits);
        fired += hits.size();
        ++scanned;
      }
    });
    baselines.push_back(Measured(
        "parse_scan", "parse + scan",
        absl::StrCat("parse, then one scan of each event's raw ScriptBlockText and the rule "
                      "conditions (no reassembly, decoding, alerts): ",
                     scanned, " texts, ", fired, " rule hits"),
        parse_scan));
    {
      const BlockTexts texts = ExtractBlockTexts(corpus, SIZE_MAX);
      double scan_only = BestOf(o.repeat, [&] { fired = ScanTexts(matcher, texts, &hits); });
      baselines.push_back(Measured(
          "scan", "scan only",
          absl::StrFormat("the same scans over the texts extracted beforehand: %.1f MB of text, "
                          "%llu rule hits",
                          texts.bytes.size() / 1e6, static_cast<unsigned long long>(fired)),
          scan_only));
    }
    if (o.external) {
      TempDir temp(o.baseline_dir);
      std::string corpus_file;
      if (files->size() == 1) {
        corpus_file = files->front();  // the very bytes LoadCorpus read
      } else if (!temp.path().empty()) {
        corpus_file = temp.path() + "/corpus.jsonl";
        std::ofstream out(corpus_file, std::ios::binary);
        out.write(corpus_bytes.data(), static_cast<std::streamsize>(corpus_bytes.size()));
        if (!out) corpus_file.clear();
      }
      for (int tool = 0; tool < 2; ++tool) {
        if (temp.path().empty() || corpus_file.empty()) {
          auto e = std::make_unique<ExternalBaseline>();
          e->name = tool == 0 ? "ripgrep" : "yara";
          e->skipped = "cannot write a temporary file";
          externals.push_back(std::move(e));
        } else {
          externals.push_back(std::make_unique<ExternalBaseline>(
              tool == 0 ? RunRipgrepBaseline(rules->rules(), corpus_file, temp.path(), o.repeat)
                        : RunYaraBaseline(rules->rules(), corpus_file, temp.path(), o.repeat)));
        }
        const ExternalBaseline& e = *externals.back();
        Baseline b = Measured(e.name, e.name, "", e.seconds);
        b.skipped = e.skipped;
        b.external = &e;
        if (e.skipped.empty()) {
          b.what = absl::StrCat(e.version, "; ", e.patterns.Summary(), "; ", e.result,
                                absl::StrFormat("; start-up and compile %.3f s; ",
                                                e.startup_seconds),
                                e.note, "; ", e.command);
        }
        baselines.push_back(std::move(b));
      }
    }
  }
  // The ratios compare the first end-to-end run (-j1 unless told otherwise) with each baseline.
  const Run& reference = runs.front();
  auto ratio = [&](const Baseline& b) { return b.seconds / reference.seconds; };

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
    std::string out = absl::StrCat("],\"ratio_reference_threads\":", reference.threads,
                                   ",\"baselines\":[");
    for (size_t i = 0; i < baselines.size(); ++i) {
      const Baseline& b = baselines[i];
      absl::StrAppend(&out, i ? "," : "", "{\"name\":");
      AppendJsonString(b.name, &out);
      if (!b.skipped.empty()) {
        out += ",\"skipped\":";
        AppendJsonString(b.skipped, &out);
        out += "}";
        continue;
      }
      absl::StrAppendFormat(&out, ",\"seconds\":%.4f,\"mb_per_s\":%.1f,\"ratio\":%.3f", b.seconds,
                            mb / b.seconds, ratio(b));
      if (b.external == nullptr) {
        out += ",\"what\":";
        AppendJsonString(b.what, &out);
      } else {
        const ExternalBaseline& e = *b.external;
        absl::StrAppendFormat(&out, ",\"startup_seconds\":%.4f", e.startup_seconds);
        for (auto [key, value] : {std::pair<const char*, const std::string*>{"version", &e.version},
                                  {"command", &e.command},
                                  {"result", &e.result},
                                  {"note", &e.note}}) {
          absl::StrAppend(&out, ",\"", key, "\":");
          AppendJsonString(*value, &out);
        }
        absl::StrAppend(&out, ",\"patterns\":", e.patterns.exported.size(),
                        ",\"patterns_total\":", e.patterns.sources.size(),
                        ",\"level_patterns\":", e.patterns.level_patterns,
                        ",\"left_out\":", e.patterns.left_out.size(), ",\"left_out_reasons\":{");
        const char* sep = "";
        for (const auto& [reason, count] : e.patterns.ReasonCounts()) {
          out += sep;
          AppendJsonString(reason, &out);
          absl::StrAppend(&out, ":", count);
          sep = ",";
        }
        out += "}";
      }
      out += "}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
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
    if (!baselines.empty()) {
      std::printf("baselines (same bytes, one thread, best of %d; ratio = sbscan end to end -j%d "
                  "MB/s / baseline MB/s, > 1: sbscan is faster):\n",
                  o.repeat, reference.threads);
    }
    for (const Baseline& b : baselines) {
      if (!b.skipped.empty()) {
        std::printf("  %-13s: skipped: %s\n", b.label.c_str(), b.skipped.c_str());
        continue;
      }
      std::printf("  %-13s: %8.1f MB/s  ratio %6.3f  (%s)\n", b.label.c_str(), mb / b.seconds,
                  ratio(b), b.what.c_str());
    }
  }
  return 0;
}

}  // namespace

Command AddBenchCommand(CLI::App* app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* bench = app->add_subcommand(
      "bench",
      "Measure throughput on a corpus held in memory (no disk I/O in the timings): end to end, "
      "and baselines in the same run on the same bytes (read only, parse only, parse + scan, "
      "scan only, ripgrep and YARA with the same patterns), best of --repeat.");
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
  bench->add_flag("--baselines,!--no-baselines", o->baselines,
                  "Also time, on the same bytes: reading only, parse + one scan of each event's "
                  "text, the scans alone, and ripgrep and YARA with the same patterns "
                  "(default on)");
  bench->add_flag("!--no-external", o->external,
                  "Skip the ripgrep and YARA baselines (otherwise run when rg / yara and yarac "
                  "are on PATH, else reported as skipped)");
  bench->add_option("--baseline-dir", o->baseline_dir,
                    "Write the exported pattern files (patterns.rg, patterns.yar) here and keep "
                    "them (default: a temporary directory, removed)");
  AddCommonOptions(bench, &o->common);
  return [o] { return RunBench(*o); };
}

}  // namespace sbscan::cli
