// sbscan-gen: writes realistic PowerShell 4104 events as Winlogbeat 8.x JSON
// lines, deterministically from a seed. See generator.h and --help.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include <CLI/CLI.hpp>

#include "tools/generator/generator.h"
#include "tools/generator/script_corpus.h"

namespace {

// "100M", "1G", "1.5GB", "512k", "1000": binary multiples (K=1024).
bool ParseSize(const std::string& s, uint64_t& out) {
  if (s.empty()) return false;
  size_t pos = 0;
  double v;
  try {
    v = std::stod(s, &pos);
  } catch (...) {
    return false;
  }
  std::string unit = s.substr(pos);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() >= 2 && unit.back() == 'B') unit.pop_back();
  if (unit == "IB") unit.clear();
  if (unit.size() == 2 && unit[1] == 'I') unit.pop_back();
  double mult = 1;
  if (unit.empty() || unit == "B") {
    mult = 1;
  } else if (unit == "K") {
    mult = 1024.0;
  } else if (unit == "M") {
    mult = 1024.0 * 1024;
  } else if (unit == "G") {
    mult = 1024.0 * 1024 * 1024;
  } else if (unit == "T") {
    mult = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return false;
  }
  if (!(v > 0)) return false;
  out = static_cast<uint64_t>(v * mult);
  return out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  sbscan::gen::GeneratorOptions opt;
  std::string bytes_arg, output = "-", truth_path;
  bool print_stats = false, list_techniques = false;

  CLI::App app{
      "sbscan-gen: seeded generator of PowerShell script block logging events "
      "(Event 4104) as Winlogbeat 8.x JSON lines.\n"
      "Same seed and options give byte-identical output. Blocks are cut into "
      "fragments exactly like PowerShell (20,000 UTF-16 units; random "
      "10,000-19,999 unit pieces), fragments of several hosts and blocks "
      "interleave, and a seeded fraction of blocks carries real attack "
      "technique snippets, sometimes across a fragment cut.",
      "sbscan-gen"};
  app.add_option("--seed", opt.seed, "PRNG seed")->capture_default_str();
  auto* blocks_opt = app.add_option("--blocks", opt.blocks,
                                    "Number of script blocks to generate")
                         ->capture_default_str();
  app.add_option("--bytes", bytes_arg,
                 "Generate about this much output instead of --blocks "
                 "(e.g. 100M, 1G, 10G; K/M/G/T are powers of 1024); open "
                 "blocks are finished, so the output is slightly larger")
      ->excludes(blocks_opt);
  app.add_option("--hosts", opt.hosts,
                 "Number of hosts (WS01, SRV-DB02, ... .corp.example.com)")
      ->capture_default_str();
  app.add_option("--malicious-ratio", opt.malicious_ratio,
                 "Fraction of blocks with attack technique snippets, spread "
                 "evenly over the stream")
      ->capture_default_str();
  app.add_option("--shuffle-rate", opt.shuffle_rate,
                 "Probability that a 4104 line is delayed by 1-8 lines "
                 "(fragments of a block can then arrive out of order)")
      ->capture_default_str();
  app.add_option("--duplicate-rate", opt.duplicate_rate,
                 "Probability that a 4104 line is written again, byte for "
                 "byte, 0-20 lines later")
      ->capture_default_str();
  app.add_option("--drop-rate", opt.drop_rate,
                 "Probability that a fragment of a multi-fragment block is lost "
                 "(partial blocks); 1-of-1 blocks are never dropped")
      ->capture_default_str();
  app.add_option("--other-events-rate", opt.other_events_rate,
                 "Fraction of lines that are other PowerShell events (4103, "
                 "4105, 4106, 40961, 40962, 53504, 400, 403, 600) a reader "
                 "must skip")
      ->capture_default_str();
  app.add_option("--straddle-rate", opt.straddle_prob,
                 "Chance that a snippet in a multi-fragment malicious block is "
                 "placed across a fragment cut on purpose")
      ->capture_default_str();
  app.add_option("--open-per-host", opt.open_per_host,
                 "Concurrently open blocks per host (interleaving depth, 1-16)")
      ->capture_default_str();
  app.add_option("--truth", truth_path,
                 "Write one JSON line per block: host, script_block_id, "
                 "fragments, emitted/dropped/duplicated/delayed fragment "
                 "numbers, level, techniques and their UTF-16 spans");
  app.add_option("-o,--output", output, "Output file, '-' for stdout")
      ->capture_default_str();
  app.add_flag("--stats", print_stats,
               "Print counts, average event size and MB/s to stderr");
  app.add_flag("--list-techniques", list_techniques,
               "List the technique names used in the truth file and exit");
  CLI11_PARSE(app, argc, argv);

  if (!bytes_arg.empty() && !ParseSize(bytes_arg, opt.bytes)) {
    std::fprintf(stderr, "sbscan-gen: invalid --bytes '%s' (use e.g. 100M, 1G)\n",
                 bytes_arg.c_str());
    return 2;
  }
  if (const std::string err = opt.Validate(); !err.empty()) {
    std::fprintf(stderr, "sbscan-gen: %s\n", err.c_str());
    return 2;
  }

  static const sbscan::gen::ScriptCorpus corpus;
  if (!corpus.errors().empty()) {
    for (const std::string& e : corpus.errors()) {
      std::fprintf(stderr, "sbscan-gen: internal material error: %s\n", e.c_str());
    }
    return 2;
  }
  if (list_techniques) {
    for (std::string_view name : corpus.technique_names()) {
      std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    }
    return 0;
  }

  std::FILE* out = stdout;
  if (output != "-") {
    out = std::fopen(output.c_str(), "wb");
    if (!out) {
      std::fprintf(stderr, "sbscan-gen: cannot open %s: %s\n", output.c_str(),
                   std::strerror(errno));
      return 2;
    }
  }
  std::FILE* truth = nullptr;
  if (!truth_path.empty()) {
    truth = std::fopen(truth_path.c_str(), "wb");
    if (!truth) {
      std::fprintf(stderr, "sbscan-gen: cannot open %s: %s\n",
                   truth_path.c_str(), std::strerror(errno));
      return 2;
    }
  }
  sbscan::gen::FileSink out_sink(out);
  sbscan::gen::FileSink truth_sink(truth);
  sbscan::gen::Generator gen(opt, corpus);
  const auto t0 = std::chrono::steady_clock::now();
  bool ok = gen.Run(out_sink, truth ? &truth_sink : nullptr, {});
  if (std::fflush(out) != 0) ok = false;
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (out != stdout && std::fclose(out) != 0) ok = false;
  if (truth && std::fclose(truth) != 0) ok = false;
  if (!ok) {
    std::fprintf(stderr, "sbscan-gen: write error: %s\n", std::strerror(errno));
    return 2;
  }
  if (print_stats) {
    const auto& s = gen.stats();
    const uint64_t lines = s.events_4104 + s.other_events;
    std::fprintf(stderr,
                 "sbscan-gen: %llu blocks (%llu malicious, %llu multi-fragment), "
                 "%llu 4104 lines, %llu other lines, %llu dropped, %llu "
                 "duplicated, %llu delayed; %llu bytes, %.0f bytes/event; "
                 "%.2f s, %.1f MB/s\n",
                 (unsigned long long)s.blocks, (unsigned long long)s.malicious_blocks,
                 (unsigned long long)s.multi_fragment_blocks,
                 (unsigned long long)s.events_4104, (unsigned long long)s.other_events,
                 (unsigned long long)s.dropped, (unsigned long long)s.duplicated,
                 (unsigned long long)s.delayed, (unsigned long long)s.bytes,
                 lines ? static_cast<double>(s.bytes) / static_cast<double>(lines) : 0.0,
                 secs, secs > 0 ? static_cast<double>(s.bytes) / 1e6 / secs : 0.0);
  }
  return 0;
}
