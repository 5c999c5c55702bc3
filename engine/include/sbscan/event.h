// sbscan: one PowerShell event, as borrowed views of the fields that matter.
#ifndef SBSCAN_EVENT_H_
#define SBSCAN_EVENT_H_

#include <cstdint>
#include <string_view>

namespace sbscan {

// Where a record came from, for error messages and alert provenance.
struct SourceLocation {
  std::string_view file;  // "-" for stdin
  uint64_t line = 0;      // 1-based line for line-oriented inputs, 0 when unknown
  uint64_t offset = 0;    // byte offset of the record in the file
};

// One event with the fields of DESIGN.md. Every view borrows from the reader's buffer and is
// valid only until the reader produces the next event (for JSON lines: until the next line is
// parsed). A consumer that keeps anything must copy it; the Reassembler does, exactly once,
// and only for fragments of multi-fragment blocks. Absent numeric fields are -1; absent
// strings are empty.
struct Event {
  int32_t event_id = -1;
  std::string_view provider;
  std::string_view channel;
  std::string_view computer;
  std::string_view time_created;  // as written: ISO 8601, UTC or with an offset
  int32_t level = -1;             // 5 Verbose, 4 Information, 3 Warning
  int64_t record_id = -1;
  std::string_view user_id;
  int64_t process_id = -1;
  // 4104 (script block logging) fields.
  std::string_view script_block_id;
  int32_t message_number = -1;
  int32_t message_total = -1;
  std::string_view script_block_text;
  std::string_view path;
  // 4103 (module logging) fields; 400/403/800 carry HostApplication etc. in their data.
  std::string_view context_info;
  std::string_view payload;
  std::string_view user_data;
  SourceLocation source;
};

}  // namespace sbscan

#endif  // SBSCAN_EVENT_H_
