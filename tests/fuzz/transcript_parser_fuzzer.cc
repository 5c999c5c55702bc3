// libFuzzer target: a transcript file (any encoding) through TranscriptParser, and every command
// and session view checked to lie inside the parser's text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/src/transcript_parser.h"

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  sbscan::TranscriptOptions options;
  options.max_commands = 64;
  options.max_header_fields = 8;
  sbscan::TranscriptParser parser(options);
  if (!parser.Parse(bytes).ok()) return 0;
  size_t sum = 0;
  for (const auto& c : parser.commands()) {
    FUZZ_CHECK(c.offset <= size);
    for (char ch : c.text) sum += static_cast<unsigned char>(ch);
    sum += c.prompt.size() + c.start_time.size();
    FUZZ_CHECK(c.session <= parser.sessions().size());
  }
  FUZZ_CHECK(parser.commands().size() <= options.max_commands);
  for (const auto& s : parser.sessions()) {
    FUZZ_CHECK(s.fields.size() <= options.max_header_fields);
    for (const auto& f : s.fields) sum += f.key.size() + f.value.size();
    sum += s.host_application.size() + s.username.size();
  }
  for (const auto& item : parser.ScanItems()) sum += item.text.size();
  (void)sbscan::IsTranscriptFileName(bytes);
  (void)sum;
  return 0;
}
