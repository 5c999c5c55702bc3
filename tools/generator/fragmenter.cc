#include "tools/generator/fragmenter.h"

#include "tools/generator/text_util.h"

namespace sbscan::gen {

std::vector<std::string_view> FragmentText(std::string_view text,
                                           size_t utf16_len,
                                           size_t piece_units) {
  std::vector<std::string_view> pieces;
  const size_t count = FragmentCount(utf16_len, piece_units);
  if (count == 1) {
    pieces.push_back(text);
    return pieces;
  }
  pieces.reserve(count);
  const bool ascii = utf16_len == text.size();
  size_t byte_pos = 0;
  for (size_t k = 0; k < count; ++k) {
    const size_t unit_begin = k * piece_units;
    const size_t unit_len =
        unit_begin >= utf16_len ? 0
                                : std::min(piece_units, utf16_len - unit_begin);
    size_t byte_len;
    if (ascii) {
      byte_len = unit_len;
    } else {
      byte_len = Utf16UnitToByteOffset(text.substr(byte_pos), unit_len);
    }
    pieces.push_back(text.substr(byte_pos, byte_len));
    byte_pos += byte_len;
  }
  return pieces;
}

}  // namespace sbscan::gen
