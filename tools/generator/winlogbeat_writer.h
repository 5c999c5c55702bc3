// Serializes events as Winlogbeat 8.x raw JSON lines (the shape of
// shared/formats/winlogbeat.json): same keys, nesting, order and types, with
// hand-written formatting into a ByteBuffer (no iostreams, no DOM).
#ifndef SBSCAN_TOOLS_GENERATOR_WINLOGBEAT_WRITER_H_
#define SBSCAN_TOOLS_GENERATOR_WINLOGBEAT_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/generator/text_util.h"

namespace sbscan::gen {

// 100-nanosecond ticks since 1970-01-01T00:00:00Z.
using Ticks = int64_t;
inline constexpr Ticks kTicksPerSecond = 10'000'000;

// Appends "YYYY-MM-DDTHH:MM:SS.fffffffZ" (7 fraction digits, like
// Winlogbeat's @timestamp) or, with `millis`, "YYYY-MM-DDTHH:MM:SS.fffZ".
void AppendTimestamp(ByteBuffer& out, Ticks t, bool millis);

// Per-host constants of the Beats envelope. Strings are plain (no escaping
// needed: host names and GUIDs only).
struct BeatHost {
  std::string fqdn;          // winlog.computer_name, host.name
  std::string agent_name;    // agent.name (short upper-case name)
  std::string agent_id;      // lower-case GUID
  std::string ephemeral_id;  // lower-case GUID
};

// Fields that vary per 4104 event. Views borrow the caller's data for the
// duration of the Write4104() call only.
struct ScriptBlockEvent {
  const BeatHost* host = nullptr;
  Ticks time = 0;
  Ticks created = 0;  // when Winlogbeat read it (event.created)
  uint64_t record_id = 0;
  uint32_t pid = 0;
  uint32_t tid = 0;
  std::string_view user_sid;
  std::string_view activity_id;  // upper-case GUID without braces
  std::string_view script_block_id;  // lower-case GUID
  uint32_t number = 1;
  uint32_t total = 1;
  std::string_view text;  // fragment text (UTF-8)
  std::string_view path;  // empty: key omitted
  bool warning = false;
};

// A non-4104 event of the PowerShell channels, same envelope.
struct OtherEvent {
  const BeatHost* host = nullptr;
  Ticks time = 0;
  Ticks created = 0;
  uint64_t record_id = 0;
  uint32_t pid = 0;
  uint32_t tid = 0;
  std::string_view user_sid;  // empty: no user object
  std::string_view activity_id;  // empty: no activity_id
  int event_id = 4103;
  // event_data as alternating key/value pairs, keys sorted; values escaped
  // on output. Empty values are omitted like Winlogbeat does.
  std::string_view data[8];
  int data_pairs = 0;
  std::string_view message;
};

// Appends one line (with '\n') for the event.
void WriteScriptBlockEvent(ByteBuffer& out, const ScriptBlockEvent& e);
// Appends one line for a non-4104 event. Supported ids: 4103, 4105, 4106,
// 40961, 40962, 53504 (PowerShell/Operational), 400, 403, 600 (Windows
// PowerShell classic log).
void WriteOtherEvent(ByteBuffer& out, const OtherEvent& e);

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_WINLOGBEAT_WRITER_H_
