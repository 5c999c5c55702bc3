// Template definitions of one chunk, validated once and remembered by chunk offset.
#ifndef SBSCAN_ENGINE_SRC_EVTX_TEMPLATE_CACHE_H_
#define SBSCAN_ENGINE_SRC_EVTX_TEMPLATE_CACHE_H_

#include <cstdint>

#include "absl/container/flat_hash_map.h"

namespace sbscan::evtx {

// A template definition: next-definition offset (4), GUID (16, its first 4 bytes are the
// template id), data size (4), then `data size` bytes of BinXML (the body).
struct TemplateBody {
  uint32_t begin = 0;  // chunk offset of the body
  uint32_t end = 0;    // one past the body
};

// Not thread-safe. Reset per chunk.
class TemplateCache {
 public:
  static constexpr uint32_t kHeaderSize = 24;

  void Reset(const uint8_t* chunk, uint32_t chunk_size);

  // Looks up (or validates and remembers) the definition at chunk offset `offset`. Returns
  // false when its header or body does not lie inside the chunk's record area.
  bool Find(uint32_t offset, TemplateBody* body);

 private:
  const uint8_t* chunk_ = nullptr;
  uint32_t chunk_size_ = 0;
  absl::flat_hash_map<uint32_t, TemplateBody> bodies_;
};

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_TEMPLATE_CACHE_H_
