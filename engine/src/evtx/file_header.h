// The EVTX file header (first 4 KiB; 128 bytes used).
#ifndef SBSCAN_ENGINE_SRC_EVTX_FILE_HEADER_H_
#define SBSCAN_ENGINE_SRC_EVTX_FILE_HEADER_H_

#include <cstdint>
#include <string_view>

namespace sbscan::evtx {

inline constexpr uint32_t kFileHeaderBlockSize = 4096;
inline constexpr uint32_t kChunkSize = 65536;
inline constexpr std::string_view kFileSignature{"ElfFile\0", 8};

struct FileHeader {
  bool signature_ok = false;
  bool crc_ok = false;       // CRC32 of bytes [0, 120) equals the stored checksum
  uint16_t major_version = 0;
  uint16_t minor_version = 0;
  uint16_t chunk_count = 0;  // as written; readers must not trust it (slack, dirty files)
  uint32_t flags = 0;        // 0x1 dirty, 0x2 full, 0x4 no CRC32 in chunks and records
  bool NoCrc32() const { return (flags & 0x4) != 0; }
};

// Parses the header from `bytes` (the start of the file). A short buffer yields a header
// with signature_ok = false.
FileHeader ParseFileHeader(std::string_view bytes);

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_FILE_HEADER_H_
