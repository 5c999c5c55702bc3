// sbscan: a reassembled (complete or partial) script block.
#ifndef SBSCAN_SCRIPT_BLOCK_H_
#define SBSCAN_SCRIPT_BLOCK_H_

#include <cstdint>
#include <span>
#include <string_view>

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
  bool complete() const { return partial_cause == PartialCause::kNone; }
};

}  // namespace sbscan

#endif  // SBSCAN_SCRIPT_BLOCK_H_
