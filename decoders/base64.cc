#include "decoders/base64.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace sbscan::decoders {
namespace {

constexpr int8_t kInvalid = -1;
constexpr int8_t kSpace = -2;
constexpr int8_t kPad = -3;

constexpr std::array<int8_t, 256> MakeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<int8_t>(i);
    t['a' + i] = static_cast<int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(52 + i);
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  t[' '] = t['\t'] = t['\r'] = t['\n'] = kSpace;
  t['='] = kPad;
  return t;
}

constexpr std::array<int8_t, 256> kTable = MakeTable();

}  // namespace

Outcome DecodeBase64(std::string_view in, size_t max_out, std::string* out) {
  const size_t start = out->size();
  const size_t cap = std::min(max_out, MaxDecodedBase64Size(in.size()));
  out->resize(start + cap);
  char* const dst = out->data() + start;
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();

  size_t written = 0;
  size_t i = 0;
  uint32_t acc = 0;
  int nacc = 0;     // data characters in the current quantum
  int pads = 0;     // '=' seen
  bool any_data = false;
  Outcome result = Outcome::kDecoded;

  auto put = [&](uint8_t byte) -> bool {
    if (written == max_out) return false;
    dst[written++] = static_cast<char>(byte);
    return true;
  };

  while (i < n) {
    // Fast path: a whole quantum of data characters.
    if (nacc == 0 && i + 4 <= n && written + 3 <= cap) {
      const int32_t a = kTable[src[i]], b = kTable[src[i + 1]],
                    c = kTable[src[i + 2]], d = kTable[src[i + 3]];
      if ((a | b | c | d) >= 0) {
        if (pads != 0) {
          result = Outcome::kMalformed;
          break;
        }
        const uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) |
                           (uint32_t(c) << 6) | uint32_t(d);
        dst[written] = static_cast<char>(v >> 16);
        dst[written + 1] = static_cast<char>(v >> 8);
        dst[written + 2] = static_cast<char>(v);
        written += 3;
        i += 4;
        any_data = true;
        continue;
      }
    }
    const int8_t v = kTable[src[i++]];
    if (v >= 0) {
      if (pads != 0) {
        result = Outcome::kMalformed;
        break;
      }
      any_data = true;
      acc = (acc << 6) | uint32_t(v);
      if (++nacc == 4) {
        nacc = 0;
        if (!put(acc >> 16) || !put(acc >> 8) || !put(acc)) {
          result = Outcome::kLimitReached;
          break;
        }
        acc = 0;
      }
    } else if (v == kSpace) {
      continue;
    } else if (v == kPad) {
      ++pads;
      if (nacc < 2 || nacc + pads > 4) {
        result = Outcome::kMalformed;
        break;
      }
    } else {
      result = Outcome::kMalformed;
      break;
    }
  }

  if (result == Outcome::kDecoded) {
    if (!any_data) {
      result = pads == 0 ? Outcome::kNotApplicable : Outcome::kMalformed;
    } else if (nacc == 1) {
      result = Outcome::kMalformed;
    } else if (nacc == 2) {
      if (!put(acc >> 4)) result = Outcome::kLimitReached;
    } else if (nacc == 3) {
      if (!put(acc >> 10) || !put(acc >> 2)) result = Outcome::kLimitReached;
    }
  }
  out->resize(start + written);
  return result;
}

}  // namespace sbscan::decoders
