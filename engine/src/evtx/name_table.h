// Resolution of BinXML names (element, attribute and entity names) to the few ids the reader
// cares about, cached per chunk by the name's chunk offset.
#ifndef SBSCAN_ENGINE_SRC_EVTX_NAME_TABLE_H_
#define SBSCAN_ENGINE_SRC_EVTX_NAME_TABLE_H_

#include <cstdint>
#include <vector>

namespace sbscan::evtx {

enum class NameId : uint8_t {
  kOther = 0,
  kEvent,
  kSystem,
  kProvider,
  kEventId,
  kLevel,
  kTimeCreated,
  kEventRecordId,
  kExecution,
  kChannel,
  kComputer,
  kSecurity,
  kEventData,
  kUserData,
  kData,
  kName,
  kSystemTime,
  kProcessId,
  kThreadId,
  kUserId,
  // Entity names.
  kLt,
  kGt,
  kAmp,
  kQuot,
  kApos,
};

// Name structure at a chunk offset: next-name offset (4), hash (2), character count (2),
// UTF-16LE characters, a NUL code unit. Resolves names of one chunk at a time.
// Not thread-safe; owned by one reader.
class NameTable {
 public:
  NameTable();

  // Starts a new chunk (forgets the cache). `chunk` must stay valid until the next call.
  void Reset(const uint8_t* chunk, uint32_t chunk_size);

  // Resolves the name at chunk offset `offset`. Returns false when the structure does not fit
  // in the chunk or is not NUL-terminated. On success, *size is the structure's byte size
  // (needed to skip a name stored inline).
  bool Resolve(uint32_t offset, NameId* id, uint32_t* size);

  // True when a plausible name structure lies at `offset` (used to tell template-less
  // open-start-element tokens, which lack the dependency id, from ordinary ones).
  bool Plausible(uint32_t offset) const;

 private:
  const uint8_t* chunk_ = nullptr;
  uint32_t chunk_size_ = 0;
  // Per offset: 0 = not resolved yet, else 1 + NameId. Sizes kept alongside.
  std::vector<uint8_t> ids_;
  std::vector<uint16_t> sizes_;
  std::vector<uint32_t> touched_;
};

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_NAME_TABLE_H_
