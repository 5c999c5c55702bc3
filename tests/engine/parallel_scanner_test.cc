// The sharded pipeline gives the same alerts, counters and diagnostics as one Scanner, on
// shuffled, interleaved, duplicated input with missing fragments, whatever the thread count.
#include "engine/src/parallel_scanner.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "engine/src/alert_json.h"
#include "tests/engine/test_rules.h"

namespace sbscan {
namespace {

std::string Line(const std::string& host, const std::string& id, int n, int total,
                 const std::string& text, int second) {
  char time[64];
  std::snprintf(time, sizeof(time), "2024-03-05T14:%02d:%02d.0000000Z", second / 60 % 60,
                second % 60);
  return R"({"EventID":4104,"Computer":")" + host + R"(","ScriptBlockId":")" + id +
         R"(","MessageNumber":)" + std::to_string(n) + R"(,"MessageTotal":)" +
         std::to_string(total) + R"(,"TimeCreated":")" + time + R"(","ScriptBlockText":")" +
         text + R"("})";
}

// A seeded stream: 400 blocks on 7 hosts, 1 to 6 fragments each, some with the signature cut
// by a fragment boundary, shuffled locally, some duplicated, some fragments dropped, with
// malformed lines and other events mixed in.
std::string MakeInput(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> lines;
  for (int b = 0; b < 400; ++b) {
    std::string host = "HOST" + std::to_string(rng() % 7);
    std::string id = "block-" + std::to_string(b);
    int total = 1 + rng() % 6;
    std::string text = std::string(50 + rng() % 200, 'x');
    if (rng() % 3 == 0) text += "Invoke-Mimikatz";
    text += std::string(rng() % 100, 'y');
    size_t piece = std::max<size_t>(1, text.size() / total);
    for (int n = 1; n <= total; ++n) {
      std::string part = n < total ? text.substr((n - 1) * piece, piece)
                                   : text.substr(std::min(text.size(), (n - 1) * piece));
      if (rng() % 40 == 0) continue;  // dropped
      lines.push_back(Line(host, id, n, total, part, b));
      if (rng() % 30 == 0) lines.push_back(lines.back());  // duplicated
    }
    if (rng() % 25 == 0) lines.push_back("{not json");
    if (rng() % 25 == 0) lines.push_back(R"({"EventID":4103,"Computer":"H"})");
  }
  for (size_t i = 0; i + 1 < lines.size(); ++i) {  // local shuffling
    if (rng() % 4 == 0) std::swap(lines[i], lines[i + 1 + rng() % std::min<size_t>(5, lines.size() - i - 1)]);
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

struct Result {
  std::vector<std::string> alerts;  // sorted
  std::vector<std::string> diagnostics;
  Stats stats;
};

Result RunSingle(const std::string& input, std::shared_ptr<const signatures::RuleSet> rules,
                 const ScannerOptions& options) {
  Result r;
  Scanner scanner(
      rules, options,
      [&](const Alert& a) {
        std::string s;
        AppendAlertJson(a, &s);
        r.alerts.push_back(s);
      },
      [&](const Diagnostic& d) {
        r.diagnostics.push_back(std::to_string(d.where.line) + ":" + std::string(d.reason));
      });
  size_t pos = 0;
  uint64_t number = 0;
  while (pos < input.size()) {
    size_t nl = input.find('\n', pos);
    std::string padded = input.substr(pos, nl - pos) + std::string(64, ' ');
    ++number;
    scanner.AddJsonRecord(std::string_view(padded.data(), nl - pos), padded.size(),
                          SourceLocation{"in", number, pos});
    pos = nl + 1;
  }
  scanner.Finish();
  r.stats = scanner.stats();
  std::sort(r.alerts.begin(), r.alerts.end());
  return r;
}

Result RunParallel(const std::string& input, std::shared_ptr<const signatures::RuleSet> rules,
                   const ScannerOptions& options, int threads, size_t chunk_bytes) {
  Result r;
  std::mutex mu;
  ParallelOptions parallel;
  parallel.threads = threads;
  parallel.chunk_bytes = chunk_bytes;
  r.stats = ScanBuffersParallel(
      {InputBuffer{"in", input}}, rules, options, parallel,
      [&](int) -> Scanner::AlertCallback {
        return [&](const Alert& a) {
          std::string s;
          AppendAlertJson(a, &s);
          std::lock_guard<std::mutex> lock(mu);
          r.alerts.push_back(s);
        };
      },
      [&](const Diagnostic& d) {
        r.diagnostics.push_back(std::to_string(d.where.line) + ":" + std::string(d.reason));
      });
  std::sort(r.alerts.begin(), r.alerts.end());
  return r;
}

TEST(ParallelScannerTest, SameAlertsCountersAndDiagnosticsAsOneThread) {
  auto rules = testing::CompileYaml(testing::kTestRules);
  ScannerOptions options;
  options.reassembly.window_seconds = 30;  // some blocks age out: eviction must match too
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::string input = MakeInput(seed);
    Result single = RunSingle(input, rules, options);
    ASSERT_GT(single.alerts.size(), 50u);
    ASSERT_GT(single.stats.reassembly.partial_window + single.stats.reassembly.partial_end_of_input, 0u);
    for (int threads : {1, 2, 3, 5}) {
      for (size_t chunk : {size_t{4096}, size_t{1} << 20}) {
        SCOPED_TRACE("seed " + std::to_string(seed) + " threads " + std::to_string(threads) +
                     " chunk " + std::to_string(chunk));
        Result par = RunParallel(input, rules, options, threads, chunk);
        EXPECT_EQ(par.alerts, single.alerts);
        EXPECT_EQ(par.diagnostics, single.diagnostics);
        EXPECT_EQ(par.stats.records, single.stats.records);
        EXPECT_EQ(par.stats.malformed, single.stats.malformed);
        EXPECT_EQ(par.stats.passed_by, single.stats.passed_by);
        EXPECT_EQ(par.stats.events_4104, single.stats.events_4104);
        const ReassemblyStats& a = par.stats.reassembly;
        const ReassemblyStats& b = single.stats.reassembly;
        EXPECT_EQ(a.blocks_complete, b.blocks_complete);
        EXPECT_EQ(a.partial_window, b.partial_window);
        EXPECT_EQ(a.partial_end_of_input, b.partial_end_of_input);
        EXPECT_EQ(a.duplicates_exact, b.duplicates_exact);
        EXPECT_EQ(a.late_fragments, b.late_fragments);
        EXPECT_EQ(par.stats.analysis.alerts, single.stats.analysis.alerts);
      }
    }
  }
}

}  // namespace
}  // namespace sbscan
