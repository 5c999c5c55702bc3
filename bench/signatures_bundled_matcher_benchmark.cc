// Matcher with the real rule sets (signatures_matcher_benchmark.cc uses a synthetic ~150-pattern
// set): the one Hyperscan database of the bundled rules, and of the bundled + SigmaHQ ps_script
// rules, over the ScriptBlockText of every 4104 event of the generated Winlogbeat corpus, as the
// analyzer scans layer 0 (Reset, SetLevel, ScanPath, ScanText, Evaluate). bytes/s of text,
// items/s of texts. Before timing, the hits on a sample of texts are checked against each rule
// compiled into a database of its own (Hyperscan shares work between the patterns of one
// database; the answers must not change).
#include <benchmark/benchmark.h>

#include <set>
#include <string>
#include <vector>

#include "bench/bench_fixtures.h"
#include "signatures/matcher.h"

namespace sbscan::bench {
namespace {

using signatures::Matcher;
using signatures::RuleHit;
using signatures::RuleSet;

void ScanEvent(Matcher& m, const Event& e, std::vector<RuleHit>* hits) {
  m.Reset();
  m.SetLevel(e.level);
  if (!e.path.empty()) m.ScanPath(e.path);
  m.ScanText(e.script_block_text, 0);
  hits->clear();
  m.Evaluate(hits);
}

// Rule ids that fire on each of the first `sample` events, with `matcher`.
std::vector<std::set<std::string>> Fired(Matcher& matcher, const OwnedEvents& events,
                                         size_t sample) {
  std::vector<std::set<std::string>> out;
  std::vector<RuleHit> hits;
  for (size_t i = 0; i < sample && i < events.events.size(); ++i) {
    ScanEvent(matcher, events.events[i], &hits);
    out.emplace_back();
    for (const RuleHit& h : hits) out.back().insert(h.rule->id);
  }
  return out;
}

// The combined database against one database per rule on the first `sample` events; returns
// the first difference, or empty. *fired counts the (event, rule) hits of the sample.
std::string CheckAgainstRulesAlone(const std::shared_ptr<const RuleSet>& rules,
                                   const OwnedEvents& events, size_t sample, size_t* fired) {
  Matcher all(rules);
  std::vector<std::set<std::string>> expected(std::min(sample, events.events.size()));
  for (const signatures::Rule& rule : rules->rules()) {
    auto one = RuleSet::Compile({rule});
    if (!one.ok()) return "rule " + rule.id + " does not compile alone";
    Matcher alone(*one);
    std::vector<std::set<std::string>> got = Fired(alone, events, sample);
    for (size_t i = 0; i < got.size(); ++i) expected[i].insert(got[i].begin(), got[i].end());
  }
  std::vector<std::set<std::string>> got = Fired(all, events, sample);
  *fired = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    *fired += got[i].size();
    if (got[i] != expected[i]) return "event " + std::to_string(i) + ": hits differ";
  }
  return "";
}

void BM_MatchBlockTexts(benchmark::State& state, bool with_sigma) {
  const GeneratedCorpus& c = Corpus();
  std::shared_ptr<const RuleSet> rules = with_sigma ? BundledAndSigmaRules() : BundledRules();
  if (!c.error.empty() || rules == nullptr) {
    state.SkipWithError(with_sigma ? "no corpus or rule set (is ../shared/corpus/sigma there?)"
                                   : "no corpus or rule set");
    return;
  }
  static const OwnedEvents events = ParseEvents(c);
  size_t fired = 0;
  if (std::string error = CheckAgainstRulesAlone(rules, events, 300, &fired); !error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  if (fired == 0) {
    state.SkipWithError("no rule fired on the sample: not a meaningful check");
    return;
  }
  Matcher matcher(rules);
  std::vector<RuleHit> hits;
  uint64_t total = 0;
  for (auto _ : state) {
    for (const Event& e : events.events) {
      ScanEvent(matcher, e, &hits);
      total += hits.size();
    }
  }
  benchmark::DoNotOptimize(total);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * events.text_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.events.size()));
  state.counters["rules"] = static_cast<double>(rules->rules().size());
  state.counters["patterns"] = static_cast<double>(rules->pattern_count());
  state.counters["hits_per_text"] = static_cast<double>(total) /
      static_cast<double>(std::max<int64_t>(1, state.iterations()) * events.events.size());
}
BENCHMARK_CAPTURE(BM_MatchBlockTexts, bundled, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MatchBlockTexts, bundled_and_sigma, true)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sbscan::bench
