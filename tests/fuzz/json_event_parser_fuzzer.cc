// libFuzzer target: one JSON line through JsonEventParser (every shape), each SIMD backend.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/src/json_event_parser.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sbscan::JsonEventParser* parsers[2] = {new sbscan::JsonEventParser("haswell"),
                                                new sbscan::JsonEventParser("fallback")};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string buf = sbscan::fuzz::Padded(in);
  for (int i = 0; i < 2; ++i) {
    sbscan::Event event;
    sbscan::JsonParseResult r = parsers[i]->Parse(std::string_view(buf.data(), size), buf.size(), &event);
    if (r.ok) {
      // Touch every view: they must point into the line (ASan catches stale ones).
      size_t sum = event.computer.size() + event.script_block_text.size() +
                   event.script_block_id.size() + event.time_created.size() + event.path.size() +
                   event.context_info.size() + event.payload.size() + event.user_data.size();
      for (char c : event.script_block_text) sum += static_cast<unsigned char>(c);
      (void)sum;
    }
  }
  return 0;
}
