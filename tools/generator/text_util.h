// Text helpers for the corpus generator: UTF-16 length accounting on UTF-8
// text, Base64, UTF-16LE encoding, a minimal raw-deflate encoder, and JSON
// string escaping into an append-only byte buffer.
//
// All functions are pure (no global state) and thread-compatible.
#ifndef SBSCAN_TOOLS_GENERATOR_TEXT_UTIL_H_
#define SBSCAN_TOOLS_GENERATOR_TEXT_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sbscan::gen {

// Growable byte buffer with unchecked raw appends after Reserve(). Used for
// output so that a line is formatted without iostreams or per-field
// allocations. Not thread-safe.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  size_t size() const { return size_; }
  const char* data() const { return data_.data(); }
  std::string_view view() const { return {data_.data(), size_}; }
  void clear() { size_ = 0; }
  // Drops everything from `pos` on (pos <= size()).
  void Truncate(size_t pos) { size_ = pos; }
  // Makes room for `n` more bytes; pointers from Tail() stay valid until the
  // next Reserve().
  void Reserve(size_t n) {
    if (size_ + n > data_.size()) {
      size_t cap = data_.size() ? data_.size() : 4096;
      while (cap < size_ + n) cap *= 2;
      data_.resize(cap);
    }
  }
  char* Tail() { return data_.data() + size_; }
  void Advance(size_t n) { size_ += n; }
  void Append(std::string_view s) {
    Reserve(s.size());
    std::memcpy(Tail(), s.data(), s.size());
    size_ += s.size();
  }
  void Push(char c) {
    Reserve(1);
    data_[size_++] = c;
  }
  // Appends the decimal form of `v`.
  void AppendUint(uint64_t v);

 private:
  std::vector<char> data_;
  size_t size_ = 0;
};

// Number of UTF-16 code units needed for the (valid) UTF-8 text.
size_t Utf16Length(std::string_view utf8);

// Byte offset in `utf8` where UTF-16 code unit index `unit` starts; `unit`
// must not fall inside a surrogate pair (the generator emits BMP text only).
// Returns utf8.size() when unit >= Utf16Length(utf8).
size_t Utf16UnitToByteOffset(std::string_view utf8, size_t unit);

// Standard Base64 (RFC 4648, with padding).
std::string Base64Encode(std::string_view bytes);

// UTF-16LE bytes of the (valid, BMP-only) UTF-8 text, as PowerShell's
// -EncodedCommand and [Text.Encoding]::Unicode expect.
std::string Utf8ToUtf16Le(std::string_view utf8);

// Raw DEFLATE (RFC 1951, no zlib header) of `bytes` using one final block
// with the fixed Huffman code and literals only: valid input for
// System.IO.Compression.DeflateStream and zlib's inflate with -15 bits.
std::string DeflateRawFixed(std::string_view bytes);

// Appends `text` as the body of a JSON string (no quotes): '"' and '\\'
// escaped, control characters as \n \r \t \b \f or \u00XX, everything
// else (including UTF-8) copied. When `drop_cr` is true every '\r' is
// removed instead of escaped (the Beats `message` rendering).
void AppendJsonEscaped(ByteBuffer& out, std::string_view text, bool drop_cr);

// Formats 16 random bytes from two words as a version-4 GUID
// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (lower case) into `out` (36 chars).
void FormatGuid(uint64_t hi, uint64_t lo, bool upper, char* out);

}  // namespace sbscan::gen

#endif  // SBSCAN_TOOLS_GENERATOR_TEXT_UTIL_H_
