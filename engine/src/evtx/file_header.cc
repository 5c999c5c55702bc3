#include "engine/src/evtx/file_header.h"

#include "engine/src/evtx/byte_order.h"
#include "engine/src/evtx/crc32.h"

namespace sbscan::evtx {

FileHeader ParseFileHeader(std::string_view bytes) {
  FileHeader h;
  if (bytes.size() < 128) return h;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  h.signature_ok = bytes.substr(0, 8) == kFileSignature;
  h.minor_version = LoadLe16(p + 36);
  h.major_version = LoadLe16(p + 38);
  h.chunk_count = LoadLe16(p + 42);
  h.flags = LoadLe32(p + 120);
  h.crc_ok = Crc32(0, p, 120) == LoadLe32(p + 124);
  return h;
}

}  // namespace sbscan::evtx
