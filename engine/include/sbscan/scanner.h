// sbscan: the C++ API. Compile rules once, share them; one Scanner per thread.
#ifndef SBSCAN_SCANNER_H_
#define SBSCAN_SCANNER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sbscan/alert.h"
#include "sbscan/event.h"
#include "sbscan/options.h"
#include "sbscan/stats.h"

namespace sbscan {

namespace signatures {
class RuleSet;
}

// Which rules to compile: the bundled set (compiled into the library) and/or rule files and
// directories (searched recursively for *.yml / *.yaml).
struct RuleSources {
  bool bundled = true;
  // Native rule files and Sigma rule files (told apart by content: a `detection:` section),
  // or directories of either, searched recursively for *.yml / *.yaml.
  std::vector<std::string> paths;
  // Only rules of this level or above ("informational" ... "critical"); empty = all.
  std::string min_level;
  // Keep only rules matching one of these globs (`*`, `?`; ASCII case-insensitive) on their id,
  // Sigma id, a tag ("attack.t1059.001") or a technique id ("T1059.001"); empty = all.
  std::vector<std::string> include;
  // Then drop the rules matching one of these globs (same matching).
  std::vector<std::string> exclude;
  // Receives one line per Sigma rule that could not be loaded exactly ("file:line: id: why").
  std::vector<std::string>* skipped = nullptr;
};

// Loads and compiles the rules (bundled, native and Sigma alike) into one immutable set with
// one Hyperscan database, shareable by any number of Scanners on any threads. Errors name the
// file, line and rule id.
absl::StatusOr<std::shared_ptr<const signatures::RuleSet>> LoadRuleSet(const RuleSources& sources);

// A per-record problem: a malformed record or a fragment that cannot be used. Views are valid
// during the callback only.
struct Diagnostic {
  SourceLocation where;
  std::string_view reason;
};

// PowerShell text that is not a 4104 event, analyzed on its own as a complete block: a command
// read from a transcript file. Views are read during the call only.
struct TextRecord {
  std::string_view text;
  std::string_view host;
  std::string_view time_created;
  std::string_view user_id;
  std::string_view origin = "transcript";
  SourceLocation where;
};

// The streaming pipeline for one thread: records in, alerts out. Events are reassembled into
// script blocks, each block is analyzed once (complete, or partial when evicted or at Finish),
// and each (block, rule) that fires is passed to the alert callback synchronously. Never
// prints, never throws, never aborts; bad records become Diagnostics and counters.
// Not thread-safe.
class Scanner {
 public:
  using AlertCallback = std::function<void(const Alert&)>;
  using DiagnosticCallback = std::function<void(const Diagnostic&)>;

  // `rules` must not be null; options must have passed ValidateOptions.
  Scanner(std::shared_ptr<const signatures::RuleSet> rules, const ScannerOptions& options,
          AlertCallback on_alert, DiagnosticCallback on_diagnostic = nullptr);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // One event given as fields. 4104 fragments are reassembled; a 4103 module logging event is
  // analyzed on its own (command, parameters, host application); 400/403/800 engine events are
  // remembered as remote-session evidence for their host and process; the rest passes by.
  void AddEvent(const Event& event);
  // One rendered Windows event (<Event>...</Event>).
  void AddXmlRecord(std::string_view xml, const SourceLocation& where);
  // A transcript command or other text, analyzed as a complete block.
  void AddTextRecord(const TextRecord& record);
  // One JSON record in any supported shape. `capacity` >= record.size() + 64 (simdjson padding):
  // the bytes after the record must be readable.
  void AddJsonRecord(std::string_view record, size_t capacity, const SourceLocation& where);
  // Counts a record the reader could not even hand over (e.g. an over-long line).
  void AddMalformed(const SourceLocation& where, std::string_view reason);
  // Counts input bytes (for throughput figures); readers call it.
  void CountBytes(uint64_t bytes);
  // Analyzes every still-open block as partial (end of input).
  void Finish();
  // Analyzes every still-open block as partial, evicted by the window: for a followed input that
  // has been idle for longer than --window (stream time does not advance without events).
  void FlushIdle();
  // Analyzes every block from now on with `rules` (rule reload, e.g. on SIGHUP): open blocks
  // stay open and are analyzed with the new rules when they complete; counters go on. Call it
  // between records. On error the current rules stay.
  absl::Status SetRules(std::shared_ptr<const signatures::RuleSet> rules);

  size_t open_blocks() const;

  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sbscan

#endif  // SBSCAN_SCANNER_H_
