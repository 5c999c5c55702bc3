#include "engine/src/recent_blocks.h"

#include <algorithm>
#include <bit>

namespace sbscan {

RecentBlocks::RecentBlocks(size_t capacity, size_t fingerprint_capacity)
    : order_(std::max<size_t>(capacity, 1), 0) {
  size_t slots = std::bit_ceil(std::max<size_t>(2 * capacity, 2));
  slots_.assign(slots, Entry{});
  slot_mask_ = slots - 1;
  slot_shift_ = 64 - std::countr_zero(slots);
  size_t ring = std::bit_ceil(std::max<size_t>(fingerprint_capacity, 1));
  ring_.assign(ring, 0);
  ring_mask_ = ring - 1;
}

size_t RecentBlocks::Home(uint64_t key) const {
  // Fibonacci hashing: the key is a hash already, but its low bits may be weak.
  return slot_shift_ >= 64 ? 0 : static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> slot_shift_);
}

size_t RecentBlocks::Slot(uint64_t key) const {
  size_t i = Home(key);
  while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & slot_mask_;
  return i;
}

const RecentBlocks::Entry* RecentBlocks::Find(uint64_t key) const {
  const Entry& e = slots_[Slot(Normalize(key))];
  return e.key != 0 && Live(e) ? &e : nullptr;
}

void RecentBlocks::Erase(uint64_t key) {
  size_t i = Slot(key);
  if (slots_[i].key == 0) return;
  // Backward-shift deletion: move later members of the probe run into the hole.
  size_t j = i;
  for (;;) {
    slots_[i] = Entry{};
    for (;;) {
      j = (j + 1) & slot_mask_;
      if (slots_[j].key == 0) return;
      size_t k = Home(slots_[j].key);
      bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!stays) break;
    }
    slots_[i] = slots_[j];
    i = j;
  }
}

void RecentBlocks::Remember(uint64_t key, std::span<const uint64_t> fingerprints) {
  key = Normalize(key);
  size_t i = Slot(key);
  if (fingerprints.size() > ring_.size()) {  // cannot be kept whole: forget it
    if (slots_[i].key != 0) {
      slots_[i].total = 0;
      slots_[i].start = written_ - ring_.size() - 1;  // (modular) no longer Live()
    }
    return;
  }
  if (slots_[i].key == 0) {
    if (count_ == order_.size()) {  // full: forget the oldest block
      Erase(order_[head_]);
      head_ = (head_ + 1) % order_.size();
      --count_;
      i = Slot(key);
    }
    order_[(head_ + count_) % order_.size()] = key;
    ++count_;
    slots_[i].key = key;
  }
  slots_[i].start = written_;
  slots_[i].total = static_cast<int32_t>(fingerprints.size());
  for (uint64_t f : fingerprints) ring_[written_++ & ring_mask_] = f;
}

}  // namespace sbscan
