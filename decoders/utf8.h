// sbscan decoders: UTF-8 encoding of one code point, shared by every decoder and reader that
// turns character codes or UTF-16 into text.
#ifndef SBSCAN_DECODERS_UTF8_H_
#define SBSCAN_DECODERS_UTF8_H_

#include <cstdint>
#include <string>

namespace sbscan::decoders {

// Appends the UTF-8 form of `cp` (1 to 4 bytes). The caller passes a Unicode scalar value
// (<= 0x10FFFF, not a surrogate); other values are encoded by the same bit layout, unchecked.
void AppendUtf8(uint32_t cp, std::string* out);

}  // namespace sbscan::decoders

#endif  // SBSCAN_DECODERS_UTF8_H_
