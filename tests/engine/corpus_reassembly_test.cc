// Corpus test: every block of shared/corpus (EVTX conversions and OTRF exports) reassembled by
// the streaming Reassembler equals its fragments joined in MessageNumber order, computed here
// independently (simdjson DOM, plain maps); incomplete blocks come out partial with exactly
// their missing numbers.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "engine/src/json_event_parser.h"
#include "engine/src/line_reader.h"
#include "engine/src/reassembler.h"

namespace sbscan {
namespace {

namespace fs = std::filesystem;
using Key = std::pair<std::string, std::string>;  // (Computer, ScriptBlockId)

struct Expected {
  int total = 0;
  std::map<int, std::string> fragments;  // first one wins
};

struct Got {
  std::string text;
  bool complete = false;
  std::vector<int32_t> missing;
};

// Oracle: straightforward grouping with the DOM parser.
std::map<Key, Expected> Oracle(const fs::path& file) {
  std::map<Key, Expected> blocks;
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  simdjson::padded_string json = simdjson::padded_string::load(file.string());
  EXPECT_EQ(parser.parse_many(json).get(stream), simdjson::SUCCESS);
  for (auto doc : stream) {
    simdjson::dom::object e;
    if (doc.get(e) != simdjson::SUCCESS) continue;
    int64_t id = 0;
    std::string_view sbid, computer, text;
    int64_t n = 0, total = 0;
    if (e["EventID"].get(id) || id != 4104) continue;
    if (e["ScriptBlockId"].get(sbid) || sbid.empty()) continue;
    if (e["MessageNumber"].get(n) || e["MessageTotal"].get(total)) continue;
    if (e["Computer"].get(computer)) computer = {};
    if (e["ScriptBlockText"].get(text)) text = {};
    Expected& b = blocks[{std::string(computer), std::string(sbid)}];
    b.total = static_cast<int>(total);
    b.fragments.try_emplace(static_cast<int>(n), text);
  }
  return blocks;
}

std::map<Key, Got> Stream(const fs::path& file) {
  std::map<Key, Got> got;
  ReassemblyOptions options;
  options.window_seconds = int64_t{100} * 365 * 86400;  // no eviction: compare whole files
  Reassembler reassembler(options);
  JsonEventParser parser;
  LineReader reader;
  auto keep = [&](const ScriptBlock& b) {
    Got& g = got[{std::string(b.host), std::string(b.script_block_id)}];
    g.text = b.text;
    g.complete = b.complete();
    g.missing.assign(b.missing.begin(), b.missing.end());
  };
  FILE* f = std::fopen(file.c_str(), "rb");
  uint64_t bytes = 0;
  EXPECT_TRUE(reader
                  .Read(
                      fileno(f),
                      [&](std::string_view line, size_t capacity, uint64_t, uint64_t) {
                        Event e;
                        if (!parser.Parse(line, capacity, &e).ok || e.event_id != 4104) return;
                        reassembler.Add(e, keep);
                      },
                      [](uint64_t, uint64_t) { ADD_FAILURE() << "line too long"; }, &bytes)
                  .ok());
  std::fclose(f);
  reassembler.Finish(keep);
  return got;
}

TEST(CorpusReassemblyTest, EveryBlockEqualsItsFragmentsJoined) {
  size_t files = 0, blocks = 0, multi = 0, partial = 0;
  for (const char* dir : {"/corpus/jsonl", "/corpus/otrf"}) {
    for (const auto& entry : fs::recursive_directory_iterator(std::string(SBSCAN_SHARED_DIR) + dir)) {
      if (entry.path().extension() != ".jsonl" || fs::file_size(entry.path()) == 0) continue;
      SCOPED_TRACE(entry.path().string());
      ++files;
      std::map<Key, Expected> want = Oracle(entry.path());
      std::map<Key, Got> got = Stream(entry.path());
      EXPECT_EQ(got.size(), want.size());
      for (const auto& [key, e] : want) {
        auto it = got.find(key);
        ASSERT_NE(it, got.end()) << key.first << " " << key.second;
        const Got& g = it->second;
        std::string joined;
        std::vector<int32_t> missing;
        for (int n = 1; n <= e.total; ++n) {
          auto f = e.fragments.find(n);
          if (f == e.fragments.end()) {
            missing.push_back(n);
          } else {
            joined += f->second;
          }
        }
        EXPECT_EQ(g.complete, missing.empty()) << key.second;
        EXPECT_EQ(g.missing, missing) << key.second;
        EXPECT_EQ(g.text, joined) << key.second;
        ++blocks;
        multi += e.total > 1;
        partial += !missing.empty();
      }
    }
  }
  // The corpus README: 21 EVTX files with 4104 and 32 OTRF datasets; 430 + 677 blocks.
  EXPECT_GE(files, 50u);
  EXPECT_GE(blocks, 1000u);
  EXPECT_GE(multi, 150u);
  EXPECT_EQ(partial, 8u);  // OTRF: eight multi-fragment blocks are incomplete as exported
  std::printf("corpus: %zu files, %zu blocks (%zu multi-fragment, %zu partial)\n", files, blocks,
              multi, partial);
}

}  // namespace
}  // namespace sbscan
