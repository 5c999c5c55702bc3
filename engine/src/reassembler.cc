#include "engine/src/reassembler.h"

#include <algorithm>
#include <cstring>

#include "absl/hash/hash.h"
#include "engine/src/time_util.h"

namespace sbscan {
namespace {

// A cheap fingerprint of a fragment's text (length and three 64-byte samples): enough to tell
// an exact repeat from a conflicting one without hashing every byte of every event.
uint64_t Fingerprint(std::string_view text) {
  constexpr size_t kSample = 64;
  if (text.size() <= 3 * kSample) return absl::HashOf(text);
  size_t mid = text.size() / 2 - kSample / 2;
  return absl::HashOf(text.size(), text.substr(0, kSample), text.substr(mid, kSample),
                      text.substr(text.size() - kSample));
}

void BuildKey(std::string_view host, std::string_view id, std::string* key) {
  key->assign(host);
  key->push_back('\0');
  key->append(id);
}

}  // namespace

std::string_view PartialCauseName(PartialCause cause) {
  switch (cause) {
    case PartialCause::kNone: return "complete";
    case PartialCause::kEvictedWindow: return "evicted-window";
    case PartialCause::kEvictedMemory: return "evicted-memory";
    case PartialCause::kEndOfInput: return "end-of-input";
  }
  return "unknown";
}

struct Reassembler::OpenBlock {
  struct Slot {
    int32_t number;
    uint32_t begin, end;  // in `text`
    int64_t record_id;
  };
  uint64_t serial = 0;
  uint64_t key_hash = 0;
  int64_t first_ticks = INT64_MIN;
  int32_t total = 0;
  int32_t level = -1;
  int64_t process_id = -1;
  bool in_order = true;  // slots arrived in ascending number order
  // Metadata copied from the first fragment: one string, views by offsets.
  std::string meta;
  uint32_t meta_end[8] = {};  // host, id, time, provider, channel, user, path, source file
  std::string text;           // fragment texts in arrival order
  std::vector<Slot> slots;    // arrival order

  std::string_view Meta(int i) const {
    uint32_t b = i == 0 ? 0 : meta_end[i - 1];
    return std::string_view(meta).substr(b, meta_end[i] - b);
  }
  size_t bytes() const { return text.capacity() + meta.capacity(); }
};

Reassembler::Reassembler(const ReassemblyOptions& options)
    : options_(options),
      recent_(options.recent_blocks, kRecentFingerprintsPerBlock * options.recent_blocks) {}
Reassembler::~Reassembler() = default;

namespace {

// MessageNumber/MessageTotal, with 1 of 1 for shapes that drop the numbers of 1-of-1 blocks.
std::pair<int32_t, int32_t> NumberAndTotal(const Event& event) {
  if (event.message_total < 0 && event.message_number < 0) return {1, 1};
  return {event.message_number, event.message_total};
}

}  // namespace

bool Reassembler::IsUsableFragment(const Event& event, const ReassemblyOptions& options,
                                   const char** reason) {
  if (event.script_block_id.empty()) {
    *reason = "4104 event without ScriptBlockId";
    return false;
  }
  auto [number, total] = NumberAndTotal(event);
  if (total < 1 || number < 1 || number > total || total > options.max_message_total) {
    *reason = "4104 event with MessageNumber/MessageTotal out of range";
    return false;
  }
  return true;
}

void Reassembler::ObserveTime(std::string_view time_created, Emit emit) {
  if (std::optional<int64_t> ticks = ParseTimeTicks(time_created)) {
    stream_ticks_ = std::max(stream_ticks_, *ticks);
  }
  EvictOld(emit);
}

// Room for `fragments` fragments of `fragment_bytes` (PowerShell cuts every fragment but the
// last at the same length), at most 1/16 of the open-bytes budget; the reservation counts as
// open bytes. The first fragment reserves at most 4 fragments' worth, so that a block claiming a
// huge total reserves little; the first one that does not fit then reserves the rest of the
// block at once (a doubling per fragment would copy the text again and again), but at most 4
// times the bytes the block has sent: a block never holds much more room than text.
size_t Reassembler::ExpectedTextBytes(size_t fragment_bytes, int32_t fragments) const {
  return std::min(fragment_bytes * static_cast<size_t>(std::max(fragments, 1)),
                  options_.max_open_bytes / 16);
}

bool Reassembler::Add(const Event& event, Emit emit) {
  ++stats_.fragments;
  const char* reason;
  if (!IsUsableFragment(event, options_, &reason)) {
    ++(event.script_block_id.empty() ? stats_.rejected_no_id : stats_.rejected_bad_number);
    return false;
  }
  auto [number, total] = NumberAndTotal(event);
  if (std::optional<int64_t> ticks = ParseTimeTicks(event.time_created)) {
    stream_ticks_ = std::max(stream_ticks_, *ticks);
  }

  uint64_t key_hash = absl::HashOf(event.computer, event.script_block_id);
  if (!recent_.empty() && SeenBefore(key_hash, event)) return true;

  if (total == 1) {
    EmitSingle(event, emit);
    Remember(key_hash, nullptr, &event);
    EvictOld(emit);
    return true;
  }

  BuildKey(event.computer, event.script_block_id, &key_buf_);
  auto it = open_.find(key_buf_);
  if (it == open_.end()) {
    auto block = std::make_unique<OpenBlock>();
    block->serial = next_serial_++;
    block->key_hash = key_hash;
    block->total = total;
    block->first_ticks = stream_ticks_;  // age is measured in stream time from here
    const std::string_view fields[8] = {event.computer, event.script_block_id,
                                        event.time_created, event.provider,
                                        event.channel, event.user_id,
                                        event.path, event.source.file};
    uint32_t end = 0;
    for (int i = 0; i < 8; ++i) {
      block->meta.append(fields[i]);
      end += fields[i].size();
      block->meta_end[i] = end;
    }
    block->process_id = event.process_id;
    if (arrival_.size() >= 2 * open_.size() + 1024) CompactArrivals();
    arrival_.emplace_back(block->serial, key_buf_);
    it = open_.emplace(key_buf_, std::move(block)).first;
    open_bytes_ += it->second->bytes();
  }
  OpenBlock& block = *it->second;
  if (block.total != total) {  // same block id, another count: the first one wins
    ++stats_.duplicates_conflicting;
    return true;
  }
  for (const OpenBlock::Slot& slot : block.slots) {
    if (slot.number != number) continue;
    std::string_view have(block.text.data() + slot.begin, slot.end - slot.begin);
    ++(have == event.script_block_text ? stats_.duplicates_exact : stats_.duplicates_conflicting);
    return true;
  }
  if (!block.slots.empty() && block.slots.back().number > number) block.in_order = false;
  if (event.level > 0 && (block.level < 0 || event.level < block.level)) block.level = event.level;
  size_t before = block.bytes();
  uint32_t begin = static_cast<uint32_t>(block.text.size());
  const size_t fragment_bytes = event.script_block_text.size();
  if (block.slots.empty()) {
    constexpr int32_t kFirstFragmentsReserved = 4;
    block.text.reserve(ExpectedTextBytes(fragment_bytes, std::min(total, kFirstFragmentsReserved)));
  } else if (const size_t needed = block.text.size() + fragment_bytes;
             needed > block.text.capacity()) {
    const size_t largest = std::max(fragment_bytes, block.text.size() / block.slots.size());
    block.text.reserve(std::max(needed, std::min(ExpectedTextBytes(largest, total), 4 * needed)));
  }
  block.text.append(event.script_block_text);
  block.slots.push_back({number, begin, static_cast<uint32_t>(block.text.size()), event.record_id});
  open_bytes_ += block.bytes() - before;
  stats_.open_blocks_peak = std::max<uint64_t>(stats_.open_blocks_peak, open_.size());
  stats_.open_bytes_peak = std::max<uint64_t>(stats_.open_bytes_peak, open_bytes_);

  if (static_cast<int32_t>(block.slots.size()) == block.total) {
    Complete(block, PartialCause::kNone, emit);
  }
  EvictOld(emit);
  return true;
}

void Reassembler::EmitSingle(const Event& event, Emit emit) {
  spans_.assign(1, FragmentSpan{1, 0, static_cast<uint32_t>(event.script_block_text.size()),
                                event.record_id});
  ScriptBlock block;
  block.host = event.computer;
  block.script_block_id = event.script_block_id;
  block.time_created = event.time_created;
  block.provider = event.provider;
  block.channel = event.channel;
  block.user_id = event.user_id;
  block.path = event.path;
  block.source_file = event.source.file;
  block.level = event.level;
  block.process_id = event.process_id;
  block.text = event.script_block_text;
  block.fragments_total = 1;
  block.fragments = spans_;
  ++stats_.blocks_complete;
  ++stats_.fragments_in_blocks;
  emit(block);
}

// Hands `block` on (complete or partial) and forgets it.
void Reassembler::Complete(OpenBlock& block, PartialCause cause, Emit emit) {
  // Order the present fragments by number; join them unless they already lie in order.
  std::vector<OpenBlock::Slot>& slots = block.slots;
  std::string_view text = block.text;
  spans_.clear();
  if (!block.in_order) {
    std::sort(slots.begin(), slots.end(),
              [](const auto& a, const auto& b) { return a.number < b.number; });
    if (join_buf_.capacity() > (size_t{1} << 20)) std::string().swap(join_buf_);  // no high-water mark
    join_buf_.clear();
    for (const auto& s : slots) {
      uint32_t begin = static_cast<uint32_t>(join_buf_.size());
      join_buf_.append(block.text, s.begin, s.end - s.begin);
      spans_.push_back({s.number, begin, static_cast<uint32_t>(join_buf_.size()), s.record_id});
    }
    text = join_buf_;
  } else {
    for (const auto& s : slots) spans_.push_back({s.number, s.begin, s.end, s.record_id});
  }
  missing_.clear();
  size_t next = 0;
  for (int32_t n = 1; n <= block.total; ++n) {
    if (next < slots.size() && slots[next].number == n) {
      ++next;
    } else {
      missing_.push_back(n);
    }
  }

  ScriptBlock out;
  out.host = block.Meta(0);
  out.script_block_id = block.Meta(1);
  out.time_created = block.Meta(2);
  out.provider = block.Meta(3);
  out.channel = block.Meta(4);
  out.user_id = block.Meta(5);
  out.path = block.Meta(6);
  out.source_file = block.Meta(7);
  out.level = block.level;
  out.process_id = block.process_id;
  out.text = text;
  out.fragments_total = block.total;
  out.fragments = spans_;
  out.missing = missing_;
  out.partial_cause = cause;
  switch (cause) {
    case PartialCause::kNone: ++stats_.blocks_complete; break;
    case PartialCause::kEvictedWindow: ++stats_.partial_window; break;
    case PartialCause::kEvictedMemory: ++stats_.partial_memory; break;
    case PartialCause::kEndOfInput: ++stats_.partial_end_of_input; break;
  }
  if (cause != PartialCause::kNone) ++stats_.blocks_partial;
  stats_.fragments_in_blocks += slots.size();
  emit(out);

  Remember(block.key_hash, &block, nullptr);
  open_bytes_ -= block.bytes();
  BuildKey(out.host, out.script_block_id, &key_buf_);
  open_.erase(key_buf_);  // destroys `block`
}

void Reassembler::Remember(uint64_t key_hash, const OpenBlock* block, const Event* single) {
  if (options_.recent_blocks == 0) return;
  if (single != nullptr) {
    fingerprints_.assign(1, Fingerprint(single->script_block_text) | 1);
  } else {
    fingerprints_.assign(block->total, 0);
    for (const auto& s : block->slots) {
      fingerprints_[s.number - 1] =
          Fingerprint(std::string_view(block->text).substr(s.begin, s.end - s.begin)) | 1;
    }
  }
  recent_.Remember(key_hash, fingerprints_);
  if (fingerprints_.capacity() > 4096) std::vector<uint64_t>().swap(fingerprints_);
}

bool Reassembler::SeenBefore(uint64_t key_hash, const Event& event) {
  const RecentBlocks::Entry* recent = recent_.Find(key_hash);
  if (recent == nullptr) return false;
  int32_t number = event.message_number < 0 ? 1 : event.message_number;
  if (recent->total != std::max(event.message_total, 1) || number > recent->total) {
    ++stats_.duplicates_conflicting;
    return true;
  }
  uint64_t have = recent_.Fingerprint(*recent, number);
  if (have == 0) {  // its block was handed on as partial without it
    ++stats_.late_fragments;
    return false;
  }
  ++(have == (Fingerprint(event.script_block_text) | 1) ? stats_.duplicates_exact
                                                         : stats_.duplicates_conflicting);
  return true;
}

void Reassembler::CompactArrivals() {
  // Entries of blocks already handed on wait for the front only when an older block is still
  // open; drop them so that the queue stays within twice the open blocks (amortized O(1)).
  std::deque<std::pair<uint64_t, std::string>> kept;
  for (auto& entry : arrival_) {
    auto it = open_.find(entry.second);
    if (it != open_.end() && it->second->serial == entry.first) kept.push_back(std::move(entry));
  }
  arrival_.swap(kept);
}

void Reassembler::EvictOld(Emit emit) {
  const int64_t window_ticks = std::min(options_.window_seconds, kMaxWindowSeconds) * kTicksPerSecond;
  while (!arrival_.empty()) {
    const auto& [serial, key] = arrival_.front();
    auto it = open_.find(key);
    if (it == open_.end() || it->second->serial != serial) {  // already handed on
      arrival_.pop_front();
      continue;
    }
    OpenBlock& block = *it->second;
    PartialCause cause = PartialCause::kNone;
    if (open_bytes_ > options_.max_open_bytes || open_.size() > options_.max_open_blocks) {
      cause = PartialCause::kEvictedMemory;
    } else if (block.first_ticks != INT64_MIN && stream_ticks_ != INT64_MIN &&
               stream_ticks_ - block.first_ticks > window_ticks) {
      cause = PartialCause::kEvictedWindow;
    } else {
      break;
    }
    arrival_.pop_front();
    Complete(block, cause, emit);
  }
}

void Reassembler::FlushAll(PartialCause cause, Emit emit) {
  while (!arrival_.empty()) {
    const auto& [serial, key] = arrival_.front();
    auto it = open_.find(key);
    bool open = it != open_.end() && it->second->serial == serial;
    arrival_.pop_front();
    if (open) Complete(*it->second, cause, emit);
  }
}

}  // namespace sbscan
