#include "engine/src/evtx/template_cache.h"

#include "engine/src/evtx/byte_order.h"

namespace sbscan::evtx {

void TemplateCache::Reset(const uint8_t* chunk, uint32_t chunk_size) {
  chunk_ = chunk;
  chunk_size_ = chunk_size;
  bodies_.clear();
}

bool TemplateCache::Find(uint32_t offset, TemplateBody* body) {
  auto it = bodies_.find(offset);
  if (it != bodies_.end()) {
    *body = it->second;
    return true;
  }
  constexpr uint32_t kRecordsStart = 512;
  if (offset < kRecordsStart || offset >= chunk_size_ || chunk_size_ - offset < kHeaderSize) {
    return false;
  }
  const uint32_t size = LoadLe32(chunk_ + offset + 20);
  const uint32_t begin = offset + kHeaderSize;
  if (size > chunk_size_ - begin) return false;
  TemplateBody found{begin, begin + size};
  bodies_.emplace(offset, found);
  *body = found;
  return true;
}

}  // namespace sbscan::evtx
