// AppendAlertJson: alerts to JSON lines, on the real alerts of the generated Winlogbeat corpus
// with the bundled rules (matches with excerpts, decode paths, obfuscation findings, multi-
// fragment blocks), copied out of the scanner's callback so that they can be formatted again
// and again. bytes/s of JSON written, items/s of alerts. Before timing, every alert formatted
// from its copy must be byte-identical to the line formatted in the callback (while the
// analyzer's views were live), and valid JSON naming the same rule, host and block.
#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_fixtures.h"
#include "engine/src/alert_json.h"

namespace sbscan::bench {
namespace {

// A deep copy of an Alert: every view the callback got points into this object's own storage,
// except the rule's, which point into the rule set (kept alive by the fixture). Not movable:
// Alert views point at its members.
class OwnedAlert {
 public:
  explicit OwnedAlert(const Alert& a) : rule_(a.rule), block_(*a.block) {
    block_.host = Keep(block_.host);
    block_.script_block_id = Keep(block_.script_block_id);
    block_.time_created = Keep(block_.time_created);
    block_.provider = Keep(block_.provider);
    block_.channel = Keep(block_.channel);
    block_.user_id = Keep(block_.user_id);
    block_.path = Keep(block_.path);
    block_.source_file = Keep(block_.source_file);
    block_.text = Keep(block_.text);
    block_.origin = Keep(block_.origin);
    block_.location.file = Keep(block_.location.file);
    fragments_.assign(a.block->fragments.begin(), a.block->fragments.end());
    missing_.assign(a.block->missing.begin(), a.block->missing.end());
    block_.fragments = fragments_;
    block_.missing = missing_;
    if (a.block->remote != nullptr) {
      remote_ = *a.block->remote;
      block_.remote = &*remote_;
    }
    for (const AlertMatch& m : a.matches) {
      AlertMatch c = m;
      c.field = Keep(m.field);
      c.excerpt = Keep(m.excerpt);
      matches_.push_back(c);
    }
    for (const DecodeStep& s : a.decode_path) {
      DecodeStep c = s;
      c.decoder = Keep(s.decoder);
      c.encoding = Keep(s.encoding);
      c.note = Keep(s.note);
      steps_.push_back(c);
    }
    if (a.obfuscation != nullptr) obfuscation_ = *a.obfuscation;
    total_matches_ = a.total_matches;
  }
  OwnedAlert(const OwnedAlert&) = delete;
  OwnedAlert& operator=(const OwnedAlert&) = delete;

  Alert View() const {
    Alert a;
    a.rule = rule_;
    a.block = &block_;
    a.matches = matches_;
    a.total_matches = total_matches_;
    a.decode_path = steps_;
    a.obfuscation = obfuscation_ ? &*obfuscation_ : nullptr;
    return a;
  }

 private:
  std::string_view Keep(std::string_view s) { return strings_.emplace_back(s); }

  std::deque<std::string> strings_;  // a deque: growing it never moves the strings
  RuleInfo rule_;
  ScriptBlock block_;
  std::vector<FragmentSpan> fragments_;
  std::vector<int32_t> missing_;
  std::optional<RemoteSession> remote_;
  std::vector<AlertMatch> matches_;
  std::vector<DecodeStep> steps_;
  std::optional<ObfuscationFinding> obfuscation_;
  uint64_t total_matches_ = 0;
};

struct AlertFixture {
  std::vector<std::unique_ptr<OwnedAlert>> alerts;
  std::vector<std::string> lines;  // formatted in the callback
  std::string error;
};

const AlertFixture& Alerts() {
  static const AlertFixture fixture = [] {
    AlertFixture f;
    const GeneratedCorpus& c = Corpus();
    std::shared_ptr<const signatures::RuleSet> rules = BundledRules();
    if (!c.error.empty() || rules == nullptr) {
      f.error = "no corpus or rule set";
      return f;
    }
    Scanner scanner(rules, ScannerOptions{}, [&f](const Alert& a) {
      f.lines.emplace_back();
      AppendAlertJson(a, &f.lines.back());
      f.alerts.push_back(std::make_unique<OwnedAlert>(a));
    });
    for (std::string_view line : c.lines) {
      scanner.AddJsonRecord(line, Capacity(c, line), SourceLocation{"bench.jsonl", 0, 0});
    }
    scanner.Finish();
    if (f.alerts.empty()) f.error = "the corpus raised no alert";
    return f;
  }();
  return fixture;
}

// The copy formats to the very line of the callback, and that line is an alert of the same
// rule, host and block.
std::string CheckAlerts(const AlertFixture& f) {
  simdjson::dom::parser dom;
  std::string out;
  for (size_t i = 0; i < f.alerts.size(); ++i) {
    out.clear();
    const Alert a = f.alerts[i]->View();
    AppendAlertJson(a, &out);
    if (out != f.lines[i]) return "alert " + std::to_string(i) + ": the copy formats differently";
    simdjson::dom::element doc;
    if (dom.parse(out).get(doc) != simdjson::SUCCESS) {
      return "alert " + std::to_string(i) + ": not valid JSON";
    }
    std::string_view id, host, sbid;
    if (doc.at_pointer("/rule/id").get(id) != simdjson::SUCCESS || id != a.rule.id ||
        doc.at_pointer("/host/name").get(host) != simdjson::SUCCESS || host != a.block->host ||
        doc.at_pointer("/powershell/file/script_block_id").get(sbid) != simdjson::SUCCESS ||
        sbid != a.block->script_block_id) {
      return "alert " + std::to_string(i) + ": rule, host or block id differ";
    }
  }
  return "";
}

void BM_AppendAlertJson(benchmark::State& state) {
  const AlertFixture& f = Alerts();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  if (std::string error = CheckAlerts(f); !error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<Alert> views;
  size_t decoded = 0;
  for (const auto& a : f.alerts) {
    views.push_back(a->View());
    decoded += !views.back().decode_path.empty();
  }
  std::string out;
  size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    for (const Alert& a : views) AppendAlertJson(a, &out);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * views.size()));
  state.counters["alerts"] = static_cast<double>(views.size());
  state.counters["with_decode_path"] = static_cast<double>(decoded);
}
BENCHMARK(BM_AppendAlertJson)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sbscan::bench
