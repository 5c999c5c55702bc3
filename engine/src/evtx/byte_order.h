// Little-endian loads from unaligned memory. Callers check bounds before loading.
#ifndef SBSCAN_ENGINE_SRC_EVTX_BYTE_ORDER_H_
#define SBSCAN_ENGINE_SRC_EVTX_BYTE_ORDER_H_

#include <cstdint>
#include <cstring>

namespace sbscan::evtx {

inline uint16_t LoadLe16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;  // x86-64 and aarch64 (as built here) are little-endian.
}
inline uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "EVTX loads assume a little-endian host");

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_BYTE_ORDER_H_
