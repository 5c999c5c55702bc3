#include "decoders/deflate.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace sbscan::decoders {
namespace {

constexpr size_t kChunk = 32 << 10;
constexpr size_t kMaxRawTrailingBytes = 8;

// Grows `out` by `n` bytes without letting its capacity exceed `cap`.
void Append(std::string* out, const char* p, size_t n, size_t cap) {
  const size_t need = out->size() + n;
  if (need > out->capacity()) {
    out->reserve(std::min(cap, std::max(need, out->capacity() * 2)));
  }
  out->append(p, n);
}

Outcome Inflate(std::string_view in, size_t max_out, std::string* out,
                int window_bits, size_t* unused_in = nullptr) {
  if (in.empty()) return Outcome::kNotApplicable;
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return Outcome::kMalformed;
  const size_t cap = out->size() + max_out;
  const auto* next = reinterpret_cast<const Bytef*>(in.data());
  size_t left_in = in.size();
  size_t produced = 0;
  char buf[kChunk];
  Outcome result = Outcome::kMalformed;
  for (;;) {
    if (zs.avail_in == 0 && left_in > 0) {
      const size_t take =
          std::min<size_t>(left_in, std::numeric_limits<uInt>::max());
      zs.next_in = const_cast<Bytef*>(next);
      zs.avail_in = static_cast<uInt>(take);
      next += take;
      left_in -= take;
    }
    const size_t room = max_out - produced;
    // At the limit, ask for one more byte only to learn whether the stream
    // has more: that byte is discarded.
    const size_t want = room == 0 ? 1 : std::min(room, kChunk);
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = static_cast<uInt>(want);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const size_t got = want - zs.avail_out;
    if (room == 0) {
      if (got > 0) {
        result = Outcome::kLimitReached;
        break;
      }
    } else if (got > 0) {
      Append(out, buf, got, cap);
      produced += got;
    }
    if (rc == Z_STREAM_END) {
      result = Outcome::kDecoded;
      break;
    }
    if (rc == Z_BUF_ERROR) {
      // No progress possible: input exhausted before the end (truncated).
      if (zs.avail_in == 0 && left_in == 0) break;
      continue;
    }
    if (rc != Z_OK) break;  // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR
    if (zs.avail_in == 0 && left_in == 0 && got == 0) break;  // truncated
  }
  if (unused_in != nullptr) *unused_in = zs.avail_in + left_in;
  inflateEnd(&zs);
  return result;
}

}  // namespace

Outcome InflateRaw(std::string_view in, size_t max_out, std::string* out) {
  return Inflate(in, max_out, out, -15);
}

Outcome Gunzip(std::string_view in, size_t max_out, std::string* out) {
  return Inflate(in, max_out, out, 16 + 15);
}

Outcome InflateZlib(std::string_view in, size_t max_out, std::string* out) {
  return Inflate(in, max_out, out, 15);
}

bool LooksLikeGzip(std::string_view b) {
  return b.size() >= 3 && uint8_t(b[0]) == 0x1F && uint8_t(b[1]) == 0x8B &&
         uint8_t(b[2]) == 0x08;
}

bool LooksLikeZlib(std::string_view b) {
  if (b.size() < 2) return false;
  const unsigned cmf = uint8_t(b[0]);
  const unsigned flg = uint8_t(b[1]);
  return (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && (flg & 0x20) == 0 &&
         ((cmf << 8) | flg) % 31 == 0;
}

Outcome DecompressAuto(std::string_view bytes, size_t max_out,
                       std::string* out, std::string_view* format) {
  if (format != nullptr) *format = "";
  if (bytes.size() < 2) return Outcome::kNotApplicable;
  if (LooksLikeGzip(bytes)) {
    if (format != nullptr) *format = "gzip";
    return Gunzip(bytes, max_out, out);
  }
  if (LooksLikeZlib(bytes)) {
    if (format != nullptr) *format = "zlib";
    return InflateZlib(bytes, max_out, out);
  }
  if (((uint8_t(bytes[0]) >> 1) & 3) == 3) return Outcome::kNotApplicable;
  if (format != nullptr) *format = "deflate";
  // A DeflateStream payload ends where its data ends; random bytes that
  // happen to form a short complete stream leave most of the input unused.
  size_t unused = 0;
  const size_t before = out->size();
  const Outcome result = Inflate(bytes, max_out, out, -15, &unused);
  if (result == Outcome::kDecoded && unused > kMaxRawTrailingBytes) {
    out->resize(before);
    return Outcome::kMalformed;
  }
  return result;
}

}  // namespace sbscan::decoders
