// Shared set-up of the per-stage benchmarks: a generated Winlogbeat-shaped corpus held in memory
// (sbscan-gen's engine, fixed seed), its 4104 events parsed into owned copies, and the bundled
// rule set compiled once. Everything is built on first use and cached for the process; a
// benchmark calls these before its timing loop and checks its own output against a reference
// (state.SkipWithError when it is wrong).
#ifndef SBSCAN_BENCH_BENCH_FIXTURES_H_
#define SBSCAN_BENCH_BENCH_FIXTURES_H_

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/src/json_event_parser.h"
#include "sbscan/event.h"
#include "sbscan/scanner.h"
#include "signatures/rule_set.h"
#include "tools/generator/generator.h"
#include "tools/generator/script_corpus.h"

namespace sbscan::bench {

// How the generated stream is shaped.
enum class CorpusShape {
  kInOrder,   // sbscan-gen --seed 7 --bytes 8M --hosts 8: fragments in order, interleaved
  kShuffled,  // the same plus --shuffle-rate 0.3 --duplicate-rate 0.05: out of order, repeats
};

// A generated JSON-lines corpus in memory and what the generator says about it.
struct GeneratedCorpus {
  std::string bytes;                    // every line, then simdjson padding
  size_t size = 0;                      // bytes without the padding
  std::vector<std::string_view> lines;  // into `bytes`, without '\n'
  // The original (unfragmented) text of every block, by "host|ScriptBlockId".
  std::map<std::string, std::string> block_texts;
  gen::GeneratorStats stats;
  std::string error;  // set when generation failed
};

inline std::string BlockKey(std::string_view host, std::string_view script_block_id) {
  std::string key(host);
  key += '|';
  key += script_block_id;
  return key;
}

inline const GeneratedCorpus& Corpus(CorpusShape shape = CorpusShape::kInOrder) {
  static GeneratedCorpus corpora[2];
  GeneratedCorpus& c = corpora[shape == CorpusShape::kShuffled];
  if (!c.lines.empty() || !c.error.empty()) return c;
  static const gen::ScriptCorpus material;
  gen::GeneratorOptions options;
  options.seed = 7;
  options.bytes = uint64_t{8} << 20;
  options.hosts = 8;
  if (shape == CorpusShape::kShuffled) {
    options.shuffle_rate = 0.3;
    options.duplicate_rate = 0.05;
  }
  if (std::string err = options.Validate(); !err.empty()) {
    c.error = err;
    return c;
  }
  gen::StringSink sink(&c.bytes);
  gen::Generator generator(options, material);
  if (!generator.Run(sink, nullptr, [&c](const gen::BlockTruth& truth, std::string_view text) {
        c.block_texts[BlockKey(truth.host, truth.script_block_id)] = std::string(text);
      })) {
    c.error = "generator failed";
    return c;
  }
  c.stats = generator.stats();
  c.size = c.bytes.size();
  c.bytes.append(simdjson::SIMDJSON_PADDING, ' ');
  std::string_view all(c.bytes.data(), c.size);
  for (size_t start = 0; start < all.size();) {
    size_t nl = all.find('\n', start);
    if (nl == std::string_view::npos) nl = all.size();
    if (nl > start) c.lines.push_back(all.substr(start, nl - start));
    start = nl + 1;
  }
  return c;
}

// Bytes readable from `line` to the end of the corpus buffer (the parser's `capacity`).
inline size_t Capacity(const GeneratedCorpus& c, std::string_view line) {
  return static_cast<size_t>(c.bytes.data() + c.bytes.size() - line.data());
}

// The fields of one event, owned, so that events outlive the parser's buffer.
struct OwnedFields {
  std::string provider, channel, computer, time_created, user_id, script_block_id, text, path;
  int32_t event_id = -1, level = -1, number = -1, total = -1;
  int64_t record_id = -1, process_id = -1;
};

// Owned copies of the 4104 events of a corpus and Event views of them (`events[i]` borrows from
// `fields[i]`; moving the struct keeps the views valid, copying it does not).
struct OwnedEvents {
  std::vector<OwnedFields> fields;
  std::vector<Event> events;
  uint64_t text_bytes = 0;
  OwnedEvents() = default;
  OwnedEvents(OwnedEvents&&) = default;
  OwnedEvents& operator=(OwnedEvents&&) = default;
  OwnedEvents(const OwnedEvents&) = delete;
};

inline OwnedEvents ParseEvents(const GeneratedCorpus& c) {
  OwnedEvents out;
  JsonEventParser parser;
  for (std::string_view line : c.lines) {
    Event e;
    if (!parser.Parse(line, Capacity(c, line), &e).ok || e.event_id != 4104) continue;
    OwnedFields f;
    f.provider = e.provider;
    f.channel = e.channel;
    f.computer = e.computer;
    f.time_created = e.time_created;
    f.user_id = e.user_id;
    f.script_block_id = e.script_block_id;
    f.text = e.script_block_text;
    f.path = e.path;
    f.event_id = e.event_id;
    f.level = e.level;
    f.number = e.message_number;
    f.total = e.message_total;
    f.record_id = e.record_id;
    f.process_id = e.process_id;
    out.text_bytes += f.text.size();
    out.fields.push_back(std::move(f));
  }
  for (const OwnedFields& f : out.fields) {
    Event e;
    e.event_id = f.event_id;
    e.provider = f.provider;
    e.channel = f.channel;
    e.computer = f.computer;
    e.time_created = f.time_created;
    e.level = f.level;
    e.record_id = f.record_id;
    e.user_id = f.user_id;
    e.process_id = f.process_id;
    e.script_block_id = f.script_block_id;
    e.message_number = f.number;
    e.message_total = f.total;
    e.script_block_text = f.text;
    e.path = f.path;
    out.events.push_back(e);
  }
  return out;
}

// The bundled rule set (signatures/rules), compiled once; null when it does not compile.
inline std::shared_ptr<const signatures::RuleSet> BundledRules() {
  static const std::shared_ptr<const signatures::RuleSet> rules = [] {
    auto set = LoadRuleSet(RuleSources{});
    return set.ok() ? *set : nullptr;
  }();
  return rules;
}

// The bundled rules plus the SigmaHQ ps_script rules of ../shared/corpus/sigma (the set of the
// performance contract), compiled once; null when the folder is missing or they do not compile.
inline std::shared_ptr<const signatures::RuleSet> BundledAndSigmaRules() {
  static const std::shared_ptr<const signatures::RuleSet> rules = [] {
    RuleSources sources;
    sources.paths.push_back(std::string(SBSCAN_SOURCE_DIR) + "/../shared/corpus/sigma");
    std::vector<std::string> skipped;
    sources.skipped = &skipped;
    auto set = LoadRuleSet(sources);
    return set.ok() ? *set : nullptr;
  }();
  return rules;
}

}  // namespace sbscan::bench

#endif  // SBSCAN_BENCH_BENCH_FIXTURES_H_
