// sbscan: one rendered Windows Event XML element (<Event>…</Event>) to an Event.
#ifndef SBSCAN_ENGINE_SRC_XML_EVENT_PARSER_H_
#define SBSCAN_ENGINE_SRC_XML_EVENT_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sbscan/event.h"

namespace sbscan {

struct XmlEventParserOptions {
  size_t max_depth = 32;       // deeper nesting is an error ("too deeply nested")
  size_t max_data_items = 64;  // EventData <Data> items kept in data(); further ones counted
};

// Result of one Parse().
struct XmlParseResult {
  bool ok = false;
  const char* error = nullptr;  // static string, set when !ok
  size_t error_offset = 0;      // byte offset in the input where the error was found
};

// One EventData <Data> item: Name attribute (empty for unnamed items, as in 400/403/800)
// and decoded text.
struct XmlDataItem {
  std::string_view name;
  std::string_view value;
};

// Parses one rendered event (as cut by XmlEventSplitter, or the unescaped `_raw` of a Splunk
// record) with a hand-written scanner over the bytes. Fills from System: EventID (with or
// without a Qualifiers attribute), Provider@Name, Channel, Computer, TimeCreated@SystemTime (as
// written), Level, EventRecordID, Security@UserID, Execution@ProcessID; from EventData the
// named Data items ScriptBlockText, ScriptBlockId, MessageNumber, MessageTotal, Path (4104),
// ContextInfo, UserData, Payload (4103). For the classic events 400/403/600/800, whose Data
// items are unnamed, context_info is set to the item holding "HostApplication=" (the
// engine-state details) and, for 800, payload to the third item (the pipeline's
// CommandInvocation/ParameterBinding lines); every Data item is also in data(). RenderingInfo
// and UserData elements are skipped.
//
// Text is byte-exact: no end-of-line normalisation (CR LF inside <Data> stays CR LF); the
// five predefined entities and numeric character references (decimal and hex, any Unicode
// scalar value, written as UTF-8) are decoded. Attributes may use either quote.
//
// Views in *out (and in data()) borrow from `event_xml` or, when entities had to be decoded,
// from this parser's buffer; both are valid until the next Parse() (and `event_xml` must
// outlive them). *out is reset first, except out->source, which the caller owns. On error the
// fields found before the error are kept, ok is false and error says what is wrong: unclosed
// or mismatched elements, truncated input, bad entity or character reference, a root that is
// not <Event>, content after </Event>. Never throws or aborts. Not thread-safe: one per thread.
class XmlEventParser {
 public:
  explicit XmlEventParser(const XmlEventParserOptions& options = {});

  XmlParseResult Parse(std::string_view event_xml, Event* out);

  // EventData <Data> items of the last Parse(), in order, up to max_data_items.
  const std::vector<XmlDataItem>& data() const { return data_; }
  // Data items not kept because of max_data_items, in the last Parse().
  size_t data_items_dropped() const { return data_dropped_; }

 private:
  XmlEventParserOptions options_;
  std::string decoded_;  // reserved to the input size before each Parse: never reallocates
  std::vector<XmlDataItem> data_;
  size_t data_dropped_ = 0;
};

// Decodes XML character data: the five predefined entities and &#N; / &#xH; references (as
// UTF-8). Appends to *out. Returns false (with *error_pos at the bad '&', relative to `text`)
// on an unknown entity, an unterminated reference, or a reference to something that is not a
// Unicode scalar value (0, surrogates, above U+10FFFF). Exposed for tests and other readers.
bool DecodeXmlText(std::string_view text, std::string* out, size_t* error_pos);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_XML_EVENT_PARSER_H_
