// sbscan: a reassembled (complete or partial) script block.
#ifndef SBSCAN_SCRIPT_BLOCK_H_
#define SBSCAN_SCRIPT_BLOCK_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sbscan/event.h"

namespace sbscan {

// Why a block was handed on while fragments were still missing.
enum class PartialCause : uint8_t {
  kNone,            // complete
  kEvictedWindow,   // open longer than --window in stream time
  kEvictedMemory,   // evicted to stay under --max-open-bytes / --max-open-blocks
  kEndOfInput,      // input ended (or Finish() was called)
};
std::string_view PartialCauseName(PartialCause cause);

// One fragment present in a block: its number and where its text lies in ScriptBlock::text.
struct FragmentSpan {
  int32_t number;     // 1-based MessageNumber
  uint32_t begin;     // offset in ScriptBlock::text
  uint32_t end;
  int64_t record_id;  // EventRecordID, -1 when unknown
};

// What is known about the remote session a block ran in (PowerShell remoting: the 4103/400/800
// events of the same host and process name ServerRemoteHost / wsmprovhost.exe).
struct RemoteSession {
  std::string host_name;         // "ServerRemoteHost"
  std::string host_application;  // "C:\Windows\system32\wsmprovhost.exe -Embedding"
  std::string connected_user;
  std::string runspace_id;
  std::string evidence;          // which event told: "4103", "400", "800"
};

// A script block handed from the Reassembler to the Analyzer. All views borrow from the
// Reassembler (or, for a 1-of-1 block, from the reader's current event) and are valid only
// during the callback that receives the block.
struct ScriptBlock {
  std::string_view host;
  std::string_view script_block_id;
  std::string_view time_created;  // of the first fragment seen
  std::string_view provider;
  std::string_view channel;
  std::string_view user_id;
  std::string_view path;
  std::string_view source_file;
  int32_t level = -1;             // the most severe (lowest) Level among its fragments
  int64_t process_id = -1;
  // Text of the present fragments joined in MessageNumber order. For a complete block this is
  // exactly the script PowerShell compiled.
  std::string_view text;
  int32_t fragments_total = 0;
  std::span<const FragmentSpan> fragments;  // present fragments, ascending number
  std::span<const int32_t> missing;         // missing fragment numbers, ascending
  PartialCause partial_cause = PartialCause::kNone;
  // What the text is: a 4104 script block (event_id 4104), the command and parameters of a 4103
  // module logging event (4103), or a command from a transcript file (0).
  int32_t event_id = 4104;
  std::string_view origin = "script-block";  // "script-block", "module-logging", "transcript"
  SourceLocation location;                    // for module-logging and transcript: the record
  const RemoteSession* remote = nullptr;      // set when the block ran in a remote session
  bool complete() const { return partial_cause == PartialCause::kNone; }
};

}  // namespace sbscan

#endif  // SBSCAN_SCRIPT_BLOCK_H_
