// sbscan: reassembles 4104 fragments into script blocks, in a stream, with bounded memory.
#ifndef SBSCAN_ENGINE_SRC_REASSEMBLER_H_
#define SBSCAN_ENGINE_SRC_REASSEMBLER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "engine/src/recent_blocks.h"
#include "sbscan/event.h"
#include "sbscan/options.h"
#include "sbscan/script_block.h"
#include "sbscan/stats.h"

namespace sbscan {

// Groups 4104 fragments by (Computer, ScriptBlockId), orders them by MessageNumber and hands
// each block on the moment its last missing fragment arrives. Fragments may arrive out of order
// and interleaved with other blocks; exact duplicates are dropped, conflicting duplicates (same
// number, other text) are counted and the first one wins. A 1-of-1 block is handed on straight
// from the event, never copied; fragments of longer blocks are copied once.
//
// Open blocks are bounded: a block open while stream time (the largest TimeCreated seen so
// far) advanced by more than `window`, or the oldest blocks when the open bytes or block count exceed their
// caps, are handed on as partial blocks with their missing fragment numbers; Finish() hands on
// every open block the same way. A bounded memory of recently handed-on blocks catches
// duplicates that arrive after their block was complete.
//
// Not thread-safe: one per thread (or shard). Blocks are passed to `emit` synchronously; their
// views are valid only during that call.
class Reassembler {
 public:
  using Emit = absl::FunctionRef<void(const ScriptBlock&)>;

  explicit Reassembler(const ReassemblyOptions& options);
  ~Reassembler();
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  // Adds one 4104 event. Returns false (and counts the reason in stats) when the event is not a
  // usable fragment: no ScriptBlockId, MessageNumber/MessageTotal out of range.
  bool Add(const Event& event, Emit emit);
  // Hands on every open block as partial (end of input).
  void Finish(Emit emit) { FlushAll(PartialCause::kEndOfInput, emit); }
  // Hands on every open block as partial with `cause` (e.g. a followed file idle for a window).
  void FlushAll(PartialCause cause, Emit emit);

  // For sharded pipelines: a usable fragment that belongs to another shard still advances stream
  // time here, and may age out this shard's open blocks, exactly as if it had been added.
  void ObserveTime(std::string_view time_created, Emit emit);

  // True when Add() would accept the event as a fragment (ScriptBlockId present, numbers in
  // range); otherwise *reason says why.
  static bool IsUsableFragment(const Event& event, const ReassemblyOptions& options,
                               const char** reason);

  // Fragment fingerprints kept per remembered block, on average (ReassemblyOptions::recent_blocks
  // times this in all, 8 bytes each).
  static constexpr size_t kRecentFingerprintsPerBlock = 4;

  const ReassemblyStats& stats() const { return stats_; }
  size_t open_blocks() const { return open_.size(); }
  size_t open_bytes() const { return open_bytes_; }
  // Entries in the arrival-order queue (open blocks plus handed-on ones not yet dropped); stays
  // within 2 * open_blocks() + 1024.
  size_t arrival_queue_size() const { return arrival_.size(); }

 private:
  struct OpenBlock;

  void EmitSingle(const Event& event, Emit emit);
  size_t ExpectedTextBytes(size_t fragment_bytes, int32_t fragments) const;
  void Complete(OpenBlock& block, PartialCause cause, Emit emit);
  void Remember(uint64_t key_hash, const OpenBlock* block, const Event* single);
  // Returns true when the fragment is a repeat of one already handed on.
  bool SeenBefore(uint64_t key_hash, const Event& event);
  void EvictOld(Emit emit);
  void CompactArrivals();

  ReassemblyOptions options_;
  ReassemblyStats stats_;
  absl::flat_hash_map<std::string, std::unique_ptr<OpenBlock>> open_;
  std::deque<std::pair<uint64_t, std::string>> arrival_;  // (serial, key), oldest first
  uint64_t next_serial_ = 0;
  size_t open_bytes_ = 0;
  int64_t stream_ticks_ = INT64_MIN;
  std::string key_buf_;
  // Recently handed-on blocks: key hash -> fingerprints of their fragments, fixed size.
  RecentBlocks recent_;
  std::vector<uint64_t> fingerprints_;  // Remember() scratch
  // Scratch reused for every emitted block.
  std::string join_buf_;
  std::vector<FragmentSpan> spans_;
  std::vector<int32_t> missing_;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_REASSEMBLER_H_
