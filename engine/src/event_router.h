// sbscan: what one thread (or shard) does with each event: reassemble 4104 fragments, analyze
// 4103 module logging, remember remote-session evidence, analyze blocks and raise alerts.
#ifndef SBSCAN_ENGINE_SRC_EVENT_ROUTER_H_
#define SBSCAN_ENGINE_SRC_EVENT_ROUTER_H_

#include <deque>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/src/analyzer.h"
#include "engine/src/module_logging.h"
#include "engine/src/reassembler.h"
#include "sbscan/scanner.h"

namespace sbscan {

// The kinds of event the pipeline handles.
enum class EventKind : uint8_t { kOther, kScriptBlock, kModuleLogging, kEngineSession };
EventKind ClassifyEvent(const Event& event);

// Remote-session evidence per (host, process id), bounded FIFO.
class RemoteSessions {
 public:
  static constexpr size_t kCapacity = 65'536;
  void Remember(std::string_view host, int64_t pid, RemoteSession session);
  const RemoteSession* Find(std::string_view host, int64_t pid) const;

 private:
  absl::flat_hash_map<uint64_t, std::unique_ptr<RemoteSession>> sessions_;
  std::deque<uint64_t> order_;
};

// Per-thread state of the pipeline after parsing. In a sharded pipeline every shard sees every
// event: `own` says whether this shard analyzes it (its fragments, its 4103 events); the others
// only advance stream time and learn remote-session evidence, so each shard decides exactly as
// one thread would. Not thread-safe.
class EventRouter {
 public:
  EventRouter(std::shared_ptr<const signatures::RuleSet> rules, const ScannerOptions& options,
              Scanner::AlertCallback on_alert);

  // Routes one event; returns false with *reason set when a 4104 fragment is unusable (only
  // when `own`).
  bool Route(const Event& event, EventKind kind, bool own, const char** reason);
  // Analyzes a text that is not an event (a transcript command) as a complete block.
  void AnalyzeText(const TextRecord& record);
  void FlushAll(PartialCause cause);
  absl::Status SetRules(std::shared_ptr<const signatures::RuleSet> rules) {
    return analyzer_.SetRules(std::move(rules));
  }

  const Reassembler& reassembler() const { return reassembler_; }
  const AnalysisStats& analysis_stats() const { return analyzer_.stats(); }

 private:
  void AddModuleEvent(const Event& event, bool analyze);
  void NoteRemote(const Event& event, std::string evidence);
  void Analyze(const ScriptBlock& block);

  ScannerOptions options_;
  Reassembler reassembler_;
  Analyzer analyzer_;
  Scanner::AlertCallback on_alert_;
  RemoteSessions remote_;
  ModuleContext context_;
  std::vector<PayloadItem> payload_;
  ModuleScanText module_text_;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_EVENT_ROUTER_H_
