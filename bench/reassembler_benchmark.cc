// Reassembler: 4104 fragments in (parsed beforehand, owned), script blocks out, on the
// generator's Winlogbeat stream of 8 hosts with interleaved multi-fragment blocks; in order, and
// shuffled with duplicates. bytes/s of fragment text, items/s of fragments, blocks/s. Before
// timing, every block handed on is checked against the generator's original text (complete, the
// same bytes, each block once).
#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_fixtures.h"
#include "engine/src/reassembler.h"

namespace sbscan::bench {
namespace {

// Reassembles `events` once; returns the first difference from the generator's blocks.
std::string CheckBlocks(const OwnedEvents& events, const GeneratedCorpus& c) {
  Reassembler reassembler(ReassemblyOptions{});
  size_t blocks = 0;
  std::string error;
  auto check = [&](const ScriptBlock& b) {
    ++blocks;
    if (!error.empty()) return;
    auto it = c.block_texts.find(BlockKey(b.host, b.script_block_id));
    if (it == c.block_texts.end()) {
      error = "a block the generator did not write";
    } else if (!b.complete()) {
      error = "block " + it->first + " is partial";
    } else if (b.text != it->second) {
      error = "block " + it->first + ": text differs from the generator's";
    }
  };
  for (const Event& e : events.events) reassembler.Add(e, check);
  reassembler.Finish(check);
  if (error.empty() && blocks != c.block_texts.size()) {
    error = std::to_string(blocks) + " blocks handed on, the generator wrote " +
            std::to_string(c.block_texts.size());
  }
  return error;
}

void BM_Reassemble(benchmark::State& state, CorpusShape shape) {
  const GeneratedCorpus& c = Corpus(shape);
  if (!c.error.empty() || c.lines.empty()) {
    state.SkipWithError("corpus generation failed");
    return;
  }
  static OwnedEvents in_order, shuffled;
  OwnedEvents& events = shape == CorpusShape::kShuffled ? shuffled : in_order;
  if (events.events.empty()) events = ParseEvents(c);
  if (std::string error = CheckBlocks(events, c); !error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  uint64_t blocks = 0, text = 0;
  for (auto _ : state) {
    Reassembler reassembler(ReassemblyOptions{});
    auto emit = [&](const ScriptBlock& b) {
      ++blocks;
      text += b.text.size();
    };
    for (const Event& e : events.events) reassembler.Add(e, emit);
    reassembler.Finish(emit);
  }
  benchmark::DoNotOptimize(text);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * events.text_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.events.size()));
  state.counters["blocks_per_s"] =
      benchmark::Counter(static_cast<double>(blocks), benchmark::Counter::kIsRate);
  state.counters["multi_fragment_blocks"] = static_cast<double>(c.stats.multi_fragment_blocks);
}
BENCHMARK_CAPTURE(BM_Reassemble, in_order, CorpusShape::kInOrder)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Reassemble, shuffled_duplicated, CorpusShape::kShuffled)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sbscan::bench
