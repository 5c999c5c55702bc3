// UTF-16LE to UTF-8 conversion for EVTX strings.
#ifndef SBSCAN_ENGINE_SRC_EVTX_UTF16_H_
#define SBSCAN_ENGINE_SRC_EVTX_UTF16_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace sbscan::evtx {

// Number of UTF-16 code units in `units` (at `data`, little-endian, unaligned) left after
// dropping trailing NUL code units.
size_t TrimTrailingNuls(const uint8_t* data, size_t units);

// Appends `units` UTF-16LE code units at `data` (unaligned) to `out` as UTF-8. Every code unit
// is kept, including CR, LF, other control characters and embedded NULs; a valid surrogate
// pair becomes one 4-byte sequence and a lone surrogate becomes U+FFFD. Never fails.
void AppendUtf16LeAsUtf8(const uint8_t* data, size_t units, std::string* out);

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_UTF16_H_
