// sbscan: cuts a stream of Windows Event XML into one <Event>…</Event> element at a time.
#ifndef SBSCAN_ENGINE_SRC_XML_EVENT_SPLITTER_H_
#define SBSCAN_ENGINE_SRC_XML_EVENT_SPLITTER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sbscan {

struct XmlEventSplitterOptions {
  // An event element longer than this is not buffered: it is skipped and reported as
  // kTooLong. Also bounds a prolog, comment or <Events> tag between events (longer ones are
  // reported as garbage). Buffered memory stays within about max_event_bytes + one Feed chunk.
  size_t max_event_bytes = size_t{64} << 20;
};

// What Next() hands out.
enum class XmlSplitKind : uint8_t {
  kEvent,      // a complete <Event …>…</Event> element (xml is the element, byte-exact)
  kGarbage,    // bytes between events that are none of: whitespace, BOM, <?…?>, <!--…-->,
               // <Events …>, </Events>; skipped
  kTooLong,    // an event longer than max_event_bytes; skipped, not buffered
  kTruncated,  // an event cut off: a new <Event started, or input ended, before </Event>;
               // xml holds the bytes that were seen (a consumer may try to parse them)
};
std::string_view XmlSplitKindName(XmlSplitKind kind);

struct XmlSplitItem {
  XmlSplitKind kind = XmlSplitKind::kEvent;
  std::string_view xml;  // kEvent/kTruncated: the bytes; kGarbage/kTooLong: empty
  uint64_t offset = 0;   // byte offset in the stream (sum of all Feed() chunks) of the start
  uint64_t length = 0;   // bytes covered, also for skipped items
};

// Incremental splitter for Windows Event XML as written by Get-WinEvent .ToXml(),
// `wevtutil qe /f:xml`, Windows Event Forwarding (with or without RenderingInfo), or any
// exporter that writes rendered events: with or without an <Events> wrapper, one event per
// line or pretty-printed over many lines, with <?xml …?> prologs between events. An event ends
// at the first `</Event>` after its start: Windows escapes '<' in text and attribute values,
// and writes no CDATA, so that end tag cannot occur inside an event. The Splunk shape (XML as
// the JSON string `_raw`) is JSON and belongs to the JSON reader, which unescapes `_raw` and may
// then hand it to XmlEventParser directly.
//
// Usage: Feed() a chunk, call Next() until it returns false, Feed() the next chunk; after the
// last chunk call Finish() and drain Next() once more. Views returned by Next() borrow from the
// splitter's buffer and are valid until the next Feed(), Finish() or Reset(). Never fails: bad
// input is reported through items of kind kGarbage/kTooLong/kTruncated and counted. Not
// thread-safe.
class XmlEventSplitter {
 public:
  explicit XmlEventSplitter(const XmlEventSplitterOptions& options = {});

  // Appends a chunk of the stream. Must not be called after Finish() (until Reset()).
  void Feed(std::string_view chunk);
  // Marks the end of the input: a partial event left in the buffer becomes kTruncated,
  // trailing garbage is reported.
  void Finish();
  // Forgets all state, to read a new stream with offsets from 0.
  void Reset();

  // The next item (event or report); false when more input is needed (or, after Finish(),
  // when everything has been handed out).
  bool Next(XmlSplitItem* item);
  // Convenience: the next complete event, silently skipping (but counting) reports.
  bool Next(std::string_view* event_xml, uint64_t* offset);

  uint64_t events() const { return events_; }
  uint64_t garbage_regions() const { return garbage_regions_; }
  uint64_t garbage_bytes() const { return garbage_bytes_; }
  uint64_t too_long() const { return too_long_; }
  uint64_t truncated() const { return truncated_; }

 private:
  enum class State : uint8_t { kBetween, kInEvent, kSkipping };
  // Result of looking at the bytes at buf_[pos]: a decision or "need more bytes".
  enum class Look : uint8_t { kNeedMore, kNo, kYes };

  size_t end() const { return buf_.size(); }
  uint64_t StreamOffset(size_t pos) const { return base_ + pos; }
  Look StartsWith(size_t pos, std::string_view s) const;
  Look EventStartAt(size_t pos) const;  // "<Event" followed by space, '>' or '/'
  Look EventEndAt(size_t pos, size_t* after) const;  // "</Event" [space]* ">"
  void Compact();
  bool EmitGarbage(size_t stop, XmlSplitItem* item);

  XmlEventSplitterOptions options_;
  std::string buf_;
  uint64_t base_ = 0;   // stream offset of buf_[0]
  size_t begin_ = 0;    // bytes before begin_ are consumed
  size_t scan_ = 0;     // where scanning resumes
  State state_ = State::kBetween;
  bool finished_ = false;
  uint64_t event_start_ = 0;   // stream offset of the current event
  bool in_garbage_ = false;
  uint64_t garbage_start_ = 0;  // stream offset

  uint64_t events_ = 0, garbage_regions_ = 0, garbage_bytes_ = 0, too_long_ = 0,
           truncated_ = 0;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_XML_EVENT_SPLITTER_H_
