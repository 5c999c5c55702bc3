// sbscan: a fixed-size memory of recently handed-on script blocks, for the reassembler to tell a
// late duplicate (drop it) from a late fragment (analyze it).
#ifndef SBSCAN_ENGINE_SRC_RECENT_BLOCKS_H_
#define SBSCAN_ENGINE_SRC_RECENT_BLOCKS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sbscan {

// Remembers, per block key hash, the fragment count and one fingerprint per fragment (0 = the
// fragment was missing), for the last `capacity` blocks (oldest forgotten first) and the last
// `fingerprint_capacity` fingerprints (a block whose fingerprints were overwritten is forgotten
// too). All memory is allocated and touched by the constructor and never grows: the same at the
// first block as after a billion (~24 B per table slot at load <= 1/2, 8 B per fingerprint, 8 B
// per remembered block). Not thread-safe.
class RecentBlocks {
 public:
  struct Entry {
    uint64_t key = 0;    // 0 = empty slot
    uint64_t start = 0;  // position of fragment 1's fingerprint in the ring (monotonic)
    int32_t total = 0;
  };

  RecentBlocks(size_t capacity, size_t fingerprint_capacity);

  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }

  // Remembers the block `key` with fingerprints.size() fragments (again: its entry is replaced,
  // its age kept). A block with more fragments than fingerprint_capacity is forgotten instead.
  void Remember(uint64_t key, std::span<const uint64_t> fingerprints);

  // The entry of `key`, or null when it is not remembered (never was, or aged out).
  const Entry* Find(uint64_t key) const;

  // Fingerprint of fragment `number` (1..entry.total) of a found entry; 0 when it was missing.
  uint64_t Fingerprint(const Entry& entry, int32_t number) const {
    return ring_[(entry.start + static_cast<uint64_t>(number - 1)) & ring_mask_];
  }

 private:
  static uint64_t Normalize(uint64_t key) { return key == 0 ? 1 : key; }
  size_t Home(uint64_t key) const;
  size_t Slot(uint64_t key) const;  // its slot, or the empty slot where it would go
  bool Live(const Entry& e) const { return written_ - e.start <= ring_.size(); }
  void Erase(uint64_t key);

  std::vector<Entry> slots_;   // open addressing, linear probing, power-of-two size
  size_t slot_mask_ = 0;
  int slot_shift_ = 0;
  std::vector<uint64_t> ring_;  // fingerprints, power-of-two size
  uint64_t ring_mask_ = 0;
  uint64_t written_ = 0;        // fingerprints written since construction
  std::vector<uint64_t> order_;  // keys, oldest first from head_ (a ring of `capacity`)
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_RECENT_BLOCKS_H_
