// sbscan: options with their documented defaults. Every limit is an option, validated once
// (ValidateOptions) and counted in Stats when hit.
#ifndef SBSCAN_OPTIONS_H_
#define SBSCAN_OPTIONS_H_

#include <cstddef>
#include <cstdint>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace sbscan {

// Largest --window accepted (100 years): stream time is kept in 100 ns ticks.
inline constexpr int64_t kMaxWindowSeconds = int64_t{100} * 365 * 86400;

struct ReassemblyOptions {
  // A block still missing fragments this long after its first fragment, in stream time (the
  // largest TimeCreated seen), is analyzed as partial. PowerShell writes all fragments of a block
  // within milliseconds; the window absorbs forwarder reordering. --window, seconds, at most
  // kMaxWindowSeconds.
  int64_t window_seconds = 300;
  // Open (incomplete) blocks hold at most this many bytes of fragment text; past it the oldest
  // are analyzed as partial. --max-open-bytes.
  size_t max_open_bytes = size_t{256} << 20;
  // At most this many open blocks. --max-open-blocks.
  size_t max_open_blocks = 100'000;
  // A MessageTotal above this is rejected as invalid (PowerShell cuts at >= 10,000 UTF-16 units,
  // so 100,000 fragments is a script of more than a gigabyte).
  int32_t max_message_total = 100'000;
  // How many recently handed-on blocks are remembered to drop late duplicates, with 4 fragment
  // fingerprints per block on average. Fixed memory, allocated up front: ~88 bytes per block
  // (5.5 MiB at the default).
  size_t recent_blocks = 65'536;
};

struct DecodeOptions {
  bool enabled = true;                          // --no-decode turns decoding off
  int max_depth = 8;                            // --max-decode-depth
  size_t max_decoded_bytes = size_t{16} << 20;  // per block, all layers together
  size_t max_candidates = 256;                  // encoded regions examined per block
  size_t min_base64_run = 32;                   // bare Base64 runs shorter than this are ignored
};

struct AnalysisOptions {
  DecodeOptions decode;
  size_t excerpt_context = 40;  // bytes of context on each side of a match in alerts
  // Per-block obfuscation score (decoders/obfuscation_score.h): blocks of at least 64 bytes
  // scoring at or above the threshold raise the built-in "sbscan.obfuscation.score" alert.
  // --no-obfuscation-score, --obfuscation-threshold.
  bool obfuscation_score = true;
  double obfuscation_threshold = 0.5;
  // Also hand the alert callback the near misses: rules with a pattern hit whose condition did
  // not hold (Alert::condition_held = false; not counted as alerts). For `sbscan explain`.
  bool report_near_misses = false;
};

// `--field NAME=PATH`: where an Event field lies in a JSON shape sbscan does not know. NAME is
// one of EventID, Provider, Channel, Computer, TimeCreated, Level, EventRecordID, UserID,
// ProcessID, ScriptBlockId, MessageNumber, MessageTotal, ScriptBlockText, Path, ContextInfo,
// Payload; PATH is dotted ("data.sb.text") or a JSON pointer ("/data/sb/text"). A mapped value
// found in a record overrides what shape detection found.
struct JsonFieldMapping {
  std::string name;
  std::string pointer;  // JSON pointer form
};

struct ScannerOptions {
  ReassemblyOptions reassembly;
  AnalysisOptions analysis;
  std::vector<JsonFieldMapping> json_fields;
};

// Parses "NAME=PATH" into a mapping; InvalidArgument naming the problem.
absl::Status ParseJsonFieldMapping(std::string_view spec, JsonFieldMapping* out);

// InvalidArgument naming the option when a value is out of range.
absl::Status ValidateOptions(const ScannerOptions& options);

}  // namespace sbscan

#endif  // SBSCAN_OPTIONS_H_
