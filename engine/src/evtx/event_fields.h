// Collects the Event fields of DESIGN.md from the BinXML element stream of one record.
#ifndef SBSCAN_ENGINE_SRC_EVTX_EVENT_FIELDS_H_
#define SBSCAN_ENGINE_SRC_EVTX_EVENT_FIELDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/src/evtx/binxml_types.h"
#include "engine/src/evtx/name_table.h"
#include "sbscan/event.h"

namespace sbscan::evtx {

// Receives the element stream of one record (open element, attribute, end of start tag, end
// element, text pieces) and remembers, without converting anything, which values make up
// which field: Provider@Name, EventID, Level, TimeCreated@SystemTime, EventRecordID,
// Execution@ProcessID/ThreadID, Channel, Computer, Security@UserID, and every
// EventData/Data (with its Name attribute when present). Text split into pieces (entity and
// character references in template-less records) is kept as a list of pieces.
// The parse is cheap; text is converted only by Fill(), after the caller has looked at
// EventId(). Views in the filled Event borrow this object's buffers and the file buffer and
// stay valid until the next BeginRecord(). Not thread-safe; reusable across records/files.
class FieldCollector {
 public:
  FieldCollector();

  void BeginRecord();
  void OpenElement(NameId name);
  void Attribute(NameId name);
  void CloseStartTag();
  void EndElement();
  void Text(const ValueRef& value);

  // System/EventID, or -1 when absent or not a number.
  int32_t EventId();
  // Fills every field of `event` but `source`. `header_record_id` is used when the record
  // has no System/EventRecordID.
  void Fill(int64_t header_record_id, Event* event);

 private:
  enum Field : uint8_t {
    kProviderName,
    kEventIdText,
    kLevel,
    kTimeCreated,
    kRecordId,
    kProcessId,
    kThreadId,
    kChannel,
    kComputer,
    kUserId,
    kNumFields,
  };
  using Pieces = std::vector<ValueRef>;
  struct DataEntry {
    Pieces name;
    Pieces value;
  };
  static constexpr int kMaxStack = 64;

  // Converts pieces to text into *out (cleared first).
  static void Render(const Pieces& pieces, std::string* out);
  // Integer from pieces; false when there is none.
  bool ToInt(const Pieces& pieces, int64_t* out);
  std::string_view RenderInto(const Pieces& pieces, std::string* buffer);

  Pieces fields_[kNumFields];
  std::vector<DataEntry> data_;
  size_t data_count_ = 0;
  std::vector<Pieces> unnamed_;  // unnamed data, string arrays split

  NameId stack_[kMaxStack];
  Pieces* text_target_[kMaxStack];
  int depth_ = 0;
  Pieces* attr_target_ = nullptr;
  bool in_start_tag_ = false;

  // Output buffers, reused.
  std::string scratch_;
  std::string buffers_[kNumFields];
  std::string sb_text_, sb_id_, path_, context_info_, payload_, user_data_;
};

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_EVENT_FIELDS_H_
