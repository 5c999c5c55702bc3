// libFuzzer target: a byte stream through XmlEventSplitter (fed in fuzzer-chosen chunks, with a
// small event size limit), each complete or truncated event through XmlEventParser, and the
// whole input through DecodeXmlText.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/src/xml_event_parser.h"
#include "engine/src/xml_event_splitter.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbscan::fuzz::Cursor cur(data, size);
  sbscan::XmlEventSplitterOptions split_options;
  split_options.max_event_bytes = 64 + cur.Byte() * 64;
  size_t chunk = 1 + cur.Byte();
  std::string_view rest = cur.Rest();

  sbscan::XmlEventSplitter splitter(split_options);
  sbscan::XmlEventParserOptions parse_options;
  parse_options.max_data_items = 8;
  sbscan::XmlEventParser parser(parse_options);
  auto drain = [&] {
    sbscan::XmlSplitItem item;
    while (splitter.Next(&item)) {
      if (item.kind == sbscan::XmlSplitKind::kEvent || item.kind == sbscan::XmlSplitKind::kTruncated) {
        std::string copy(item.xml);  // exact size: reads past the event are caught
        sbscan::Event event;
        sbscan::XmlParseResult r = parser.Parse(copy, &event);
        if (r.ok) {
          size_t n = event.script_block_text.size() + event.computer.size();
          for (const auto& d : parser.data()) n += d.name.size() + d.value.size();
          (void)n;
        } else if (r.error_offset > copy.size()) {
          __builtin_trap();  // error offset outside the input
        }
      }
    }
  };
  for (size_t pos = 0; pos < rest.size(); pos += chunk) {
    splitter.Feed(rest.substr(pos, chunk));
    drain();
  }
  splitter.Finish();
  drain();

  std::string decoded;
  size_t error_pos = 0;
  sbscan::DecodeXmlText(rest, &decoded, &error_pos);
  return 0;
}
