// Helpers shared by the libFuzzer targets in tests/fuzz: a cursor over the fuzzer's bytes that
// hands out small integers and length-prefixed pieces, so that one input drives several calls.
#ifndef SBSCAN_TESTS_FUZZ_FUZZ_UTIL_H_
#define SBSCAN_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sbscan::fuzz {

// Reads from the fuzzer's input front to back; past the end every read yields zero / empty.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | Byte();
    return v;
  }
  // A piece of at most `max` bytes: a 2-byte length, then the bytes.
  std::string_view Piece(size_t max) {
    size_t n = (size_t{Byte()} << 8) | Byte();
    n = n % (max + 1);
    if (n > size_ - std::min(pos_, size_)) n = size_ - std::min(pos_, size_);
    std::string_view s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view Rest() {
    std::string_view s = pos_ < size_ ? std::string_view(data_ + pos_, size_ - pos_) : "";
    pos_ = size_;
    return s;
  }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A copy of `s` in a buffer with `padding` readable bytes after it (simdjson's contract).
inline std::string Padded(std::string_view s, size_t padding = 64) {
  std::string buf(s);
  buf.resize(s.size() + padding, '\0');
  return buf;
}

}  // namespace sbscan::fuzz

#endif  // SBSCAN_TESTS_FUZZ_FUZZ_UTIL_H_
