#include "engine/src/evtx/chunk_header.h"

#include <cstring>

#include "engine/src/evtx/byte_order.h"
#include "engine/src/evtx/crc32.h"

namespace sbscan::evtx {

ChunkHeader ParseChunkHeader(const uint8_t* chunk, uint32_t size) {
  ChunkHeader h;
  h.signature_ok = std::memcmp(chunk, kChunkSignature.data(), kChunkSignature.size()) == 0;
  h.first_record_id = LoadLe64(chunk + 24);
  h.last_record_id = LoadLe64(chunk + 32);
  const uint32_t header_size = LoadLe32(chunk + 40);
  h.last_record_offset = LoadLe32(chunk + 44);
  h.free_space_offset = LoadLe32(chunk + 48);
  uint32_t crc = Crc32(0, chunk, 120);
  crc = Crc32(crc, chunk + 128, kChunkHeaderSize - 128);
  h.header_crc_ok = crc == LoadLe32(chunk + 124);
  h.usable = header_size == 128 && h.free_space_offset >= kChunkHeaderSize &&
             h.free_space_offset <= 65536;
  if (h.usable && h.free_space_offset <= size) {
    h.data_crc_ok = Crc32(0, chunk + kChunkHeaderSize, h.free_space_offset - kChunkHeaderSize) ==
                    LoadLe32(chunk + 52);
  }
  return h;
}

}  // namespace sbscan::evtx
