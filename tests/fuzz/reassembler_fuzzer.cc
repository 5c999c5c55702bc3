// libFuzzer target: the input as a sequence of 4104 fragment events (a few hosts and block ids,
// fuzzer-chosen MessageNumber/MessageTotal/time/text) and time observations, through a
// Reassembler with tight limits. Checks every emitted block (spans inside the text, ascending,
// missing numbers consistent) and, after Finish, the fragment accounting identity:
//   fragments = in emitted blocks + duplicates (exact, conflicting) + rejected (no id, number).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/src/reassembler.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

constexpr const char* kHosts[] = {"WS01", "ws01", "", "DC01.corp"};
constexpr const char* kIds[] = {"11111111-2222-4333-8444-555555555555",
                                "{11111111-2222-4333-8444-555555555555}",
                                "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "", "x"};
constexpr const char* kTimes[] = {"2024-03-05T14:22:07.4528110Z", "2024-03-05T14:22:08Z",
                                  "2024-03-05T15:22:07Z", "2024-03-06T14:22:07+02:00",
                                  "not a time", ""};

int32_t SmallOrRaw(sbscan::fuzz::Cursor& cur) {
  uint8_t b = cur.Byte();
  if (b < 0xF0) return b % 8 - 1;  // -1..6, mostly
  return static_cast<int32_t>(cur.U32());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbscan::fuzz::Cursor cur(data, size);
  sbscan::ReassemblyOptions options;
  options.window_seconds = cur.Byte() % 4 * 30;
  options.max_open_bytes = 1 + cur.Byte() * 4;
  options.max_open_blocks = 1 + cur.Byte() % 6;
  options.max_message_total = 1 + cur.Byte() % 32;
  options.recent_blocks = cur.Byte() % 8;
  sbscan::Reassembler r(options);

  uint64_t in_blocks = 0;
  auto emit = [&](const sbscan::ScriptBlock& b) {
    FUZZ_CHECK(b.fragments_total >= 1);
    FUZZ_CHECK(b.fragments.size() + b.missing.size() == static_cast<size_t>(b.fragments_total));
    FUZZ_CHECK(b.complete() == b.missing.empty());
    int32_t last = 0;
    uint32_t prev_end = 0;
    for (const sbscan::FragmentSpan& s : b.fragments) {
      FUZZ_CHECK(s.number > last && s.number <= b.fragments_total);
      FUZZ_CHECK(s.begin == prev_end && s.begin <= s.end && s.end <= b.text.size());
      last = s.number;
      prev_end = s.end;
    }
    FUZZ_CHECK(prev_end == b.text.size());
    last = 0;
    for (int32_t m : b.missing) {
      FUZZ_CHECK(m > last && m <= b.fragments_total);
      last = m;
    }
    size_t sum = b.host.size() + b.script_block_id.size() + b.time_created.size();
    for (char c : b.text) sum += static_cast<unsigned char>(c);
    (void)sum;
    in_blocks += b.fragments.size();
  };

  std::vector<std::string> texts;  // events' text must outlive Add only; keep it simple
  while (!cur.empty()) {
    uint8_t op = cur.Byte();
    if (op % 16 == 0) {
      r.ObserveTime(kTimes[cur.Byte() % 6], emit);
      continue;
    }
    if (op % 16 == 1) {
      r.FlushAll(sbscan::PartialCause::kEvictedWindow, emit);
      continue;
    }
    std::string text(cur.Piece(64));
    sbscan::Event e;
    e.event_id = 4104;
    e.computer = kHosts[cur.Byte() % 4];
    e.script_block_id = kIds[cur.Byte() % 5];
    e.time_created = kTimes[cur.Byte() % 6];
    e.message_number = SmallOrRaw(cur);
    e.message_total = SmallOrRaw(cur);
    e.record_id = op;
    e.level = op % 6;
    e.script_block_text = text;
    r.Add(e, emit);
    FUZZ_CHECK(r.open_blocks() <= options.max_open_blocks);
    FUZZ_CHECK(r.open_bytes() <= options.max_open_bytes);
  }
  r.Finish(emit);
  FUZZ_CHECK(r.open_blocks() == 0);
  const sbscan::ReassemblyStats& s = r.stats();
  FUZZ_CHECK(s.fragments == in_blocks + s.duplicates_exact + s.duplicates_conflicting +
                                s.rejected_no_id + s.rejected_bad_number);
  FUZZ_CHECK(s.fragments_in_blocks == in_blocks);
  FUZZ_CHECK(s.blocks_partial == s.partial_window + s.partial_memory + s.partial_end_of_input);
  return 0;
}
