// The program the callgrind guard measures (tests/perf/callgrind_guard.sh): `sbscan scan -j 1`'s
// hot path on one input file, with callgrind's instrumentation switched on only around it. The
// bundled rules are compiled and the Scanner is built before (not counted); reading the file,
// parsing, reassembly, decoding, matching and formatting every alert as a JSON line are counted.
// Outside valgrind the client requests are no-ops, so it also runs (and is tested) natively.
//
// Usage: callgrind_driver INPUT [--no-decode]
// (--no-decode: the decoders off, to count what decoding costs on the same input.)
// Prints one line: "alerts N json_bytes B records R blocks K json_backend NAME".
#include <valgrind/callgrind.h>

#include <cstdio>
#include <memory>
#include <string>

#include "engine/src/alert_json.h"
#include "engine/src/file_input.h"
#include "engine/src/json_event_parser.h"
#include "sbscan/scanner.h"

int main(int argc, char** argv) {
  const bool no_decode = argc == 3 && std::string(argv[2]) == "--no-decode";
  if (argc != 2 && !no_decode) {
    std::fprintf(stderr, "usage: %s INPUT [--no-decode]\n", argv[0]);
    return 2;
  }
  auto rules = sbscan::LoadRuleSet(sbscan::RuleSources{});
  if (!rules.ok()) {
    std::fprintf(stderr, "callgrind_driver: %s\n", std::string(rules.status().message()).c_str());
    return 2;
  }
  uint64_t alerts = 0, json_bytes = 0;
  std::string sink;
  sbscan::ScannerOptions options;
  options.analysis.decode.enabled = !no_decode;
  sbscan::Scanner scanner(*rules, options, [&](const sbscan::Alert& alert) {
    sink.clear();
    sbscan::AppendAlertJson(alert, &sink);
    ++alerts;
    json_bytes += sink.size();
  });
  sbscan::InputReader reader;

  CALLGRIND_START_INSTRUMENTATION;
  absl::Status status = reader.ReadFile(argv[1], scanner);
  scanner.Finish();
  CALLGRIND_STOP_INSTRUMENTATION;

  if (!status.ok()) {
    std::fprintf(stderr, "callgrind_driver: %s\n", std::string(status.message()).c_str());
    return 2;
  }
  const sbscan::Stats stats = scanner.stats();
  sbscan::JsonEventParser parser;
  std::printf("alerts %llu json_bytes %llu records %llu blocks %llu json_backend %s\n",
              static_cast<unsigned long long>(alerts), static_cast<unsigned long long>(json_bytes),
              static_cast<unsigned long long>(stats.records),
              static_cast<unsigned long long>(stats.reassembly.blocks_complete +
                                              stats.reassembly.blocks_partial),
              std::string(parser.backend_name()).c_str());
  return 0;
}
