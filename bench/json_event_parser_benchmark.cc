// JsonEventParser (simdjson On-Demand, one walk per object, shape detected per line) on
// Winlogbeat-shaped 4104 lines from the generator: bytes/s of JSON and items/s of lines, for the
// best backend this CPU runs and for the generic x86-64 one. Before timing, every line's fields
// are checked against simdjson's DOM parse of the same line.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_fixtures.h"

namespace sbscan::bench {
namespace {

// Compares what `parser` found in `line` with the Winlogbeat fields read by the DOM API; returns
// the first difference, empty when there is none.
std::string CheckLine(JsonEventParser& parser, const GeneratedCorpus& c, std::string_view line) {
  Event e;
  JsonParseResult r = parser.Parse(line, Capacity(c, line), &e);
  if (!r.ok) return std::string("parse failed: ") + (r.error ? r.error : "?");
  if (r.shape != JsonShape::kWinlogbeat) return "shape is not Winlogbeat";
  simdjson::dom::parser dom;
  simdjson::dom::element doc;
  if (dom.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) return "DOM parse failed";
  auto str = [&doc](const char* pointer) {
    std::string_view v;
    return doc.at_pointer(pointer).get(v) == simdjson::SUCCESS ? v : std::string_view();
  };
  auto num = [&doc](const char* pointer) {
    int64_t v = -1;
    return doc.at_pointer(pointer).get(v) == simdjson::SUCCESS ? v : -1;
  };
  auto num_str = [&str](const char* pointer) {
    std::string s(str(pointer));
    return s.empty() ? -1 : std::stoll(s);
  };
  const std::pair<const char*, bool> checks[] = {
      {"event_id", e.event_id == num_str("/winlog/event_id")},
      {"computer", e.computer == str("/winlog/computer_name")},
      {"script_block_id", e.script_block_id == str("/winlog/event_data/ScriptBlockId")},
      {"message_number", e.message_number == num_str("/winlog/event_data/MessageNumber")},
      {"message_total", e.message_total == num_str("/winlog/event_data/MessageTotal")},
      {"script_block_text", e.script_block_text == str("/winlog/event_data/ScriptBlockText")},
      {"path", e.path == str("/winlog/event_data/Path")},
      {"record_id", e.record_id == num("/winlog/record_id")},
      {"process_id", e.process_id == num("/winlog/process/pid")},
      {"user_id", e.user_id == str("/winlog/user/identifier")},
  };
  for (const auto& [field, ok] : checks) {
    if (!ok) return std::string(field) + " differs from the DOM parse";
  }
  return "";
}

void BM_JsonEventParser(benchmark::State& state, const char* backend) {
  const GeneratedCorpus& c = Corpus();
  if (!c.error.empty() || c.lines.empty()) {
    state.SkipWithError("corpus generation failed");
    return;
  }
  JsonEventParser parser(backend);
  for (size_t i = 0; i < c.lines.size(); ++i) {
    if (std::string diff = CheckLine(parser, c, c.lines[i]); !diff.empty()) {
      std::string message = "line " + std::to_string(i + 1) + ": " + diff;
      state.SkipWithError(message.c_str());
      return;
    }
  }
  uint64_t found = 0;
  for (auto _ : state) {
    for (std::string_view line : c.lines) {
      Event e;
      found += parser.Parse(line, Capacity(c, line), &e).ok && e.event_id == 4104;
      benchmark::DoNotOptimize(e.script_block_text.data());
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.size));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.lines.size()));
  state.SetLabel(std::string(parser.backend_name()));
}
BENCHMARK_CAPTURE(BM_JsonEventParser, best, "")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JsonEventParser, fallback, "fallback")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sbscan::bench
