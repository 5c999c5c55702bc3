// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as EVTX file and chunk headers use.
#ifndef SBSCAN_ENGINE_SRC_EVTX_CRC32_H_
#define SBSCAN_ENGINE_SRC_EVTX_CRC32_H_

#include <cstddef>
#include <cstdint>

namespace sbscan::evtx {

// Continues a CRC-32 over `size` bytes at `data`; start with crc = 0. Equal to zlib's crc32().
// Thread-safe (the tables are constant), slice-by-8, no allocation.
uint32_t Crc32(uint32_t crc, const void* data, size_t size);

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_CRC32_H_
