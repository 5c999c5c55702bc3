// The 512-byte header of a 64 KiB EVTX chunk.
#ifndef SBSCAN_ENGINE_SRC_EVTX_CHUNK_HEADER_H_
#define SBSCAN_ENGINE_SRC_EVTX_CHUNK_HEADER_H_

#include <cstdint>
#include <string_view>

namespace sbscan::evtx {

inline constexpr uint32_t kChunkHeaderSize = 512;
inline constexpr std::string_view kChunkSignature{"ElfChnk\0", 8};

struct ChunkHeader {
  bool signature_ok = false;
  bool header_crc_ok = false;  // CRC32 of bytes [0, 120) and [128, 512)
  bool data_crc_ok = false;    // CRC32 of [512, free space offset); false when unverifiable
  bool usable = false;         // header size 128 and free-space offset inside the chunk
  uint64_t first_record_id = 0;
  uint64_t last_record_id = 0;
  uint32_t last_record_offset = 0;
  uint32_t free_space_offset = 0;
};

// Parses and checks the chunk header at `chunk` (`size` valid bytes, at most 64 KiB).
// Requires size >= kChunkHeaderSize.
ChunkHeader ParseChunkHeader(const uint8_t* chunk, uint32_t size);

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_CHUNK_HEADER_H_
