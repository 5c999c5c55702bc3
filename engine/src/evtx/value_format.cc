#include "engine/src/evtx/value_format.h"

#include <charconv>
#include <cstring>

#include "engine/src/evtx/byte_order.h"
#include "engine/src/evtx/utf16.h"

namespace sbscan::evtx {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";

void AppendDigits(uint32_t value, int width, std::string* out) {
  char buf[10];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, static_cast<size_t>(width));
}

void AppendUnsigned(uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

void AppendSigned(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

void AppendHex(uint64_t v, int digits, std::string* out) {
  char buf[18];
  buf[0] = '0';
  buf[1] = 'x';
  for (int i = 0; i < digits; ++i) buf[2 + i] = kHexUpper[(v >> (4 * (digits - 1 - i))) & 0xF];
  out->append(buf, static_cast<size_t>(2 + digits));
}

// Days since 1970-01-01 to civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

void AppendIso(int64_t year, unsigned month, unsigned day, unsigned hour, unsigned minute,
               unsigned second, uint32_t fraction7, std::string* out) {
  AppendDigits(static_cast<uint32_t>(year < 0 ? 0 : year % 10000), 4, out);
  out->push_back('-');
  AppendDigits(month, 2, out);
  out->push_back('-');
  AppendDigits(day, 2, out);
  out->push_back('T');
  AppendDigits(hour, 2, out);
  out->push_back(':');
  AppendDigits(minute, 2, out);
  out->push_back(':');
  AppendDigits(second, 2, out);
  out->push_back('.');
  AppendDigits(fraction7, 7, out);
  out->push_back('Z');
}

bool ParseInteger(const char* begin, const char* end, int64_t* out) {
  while (begin < end && (*begin == ' ' || *begin == '\t')) ++begin;
  while (end > begin && (end[-1] == ' ' || end[-1] == '\t')) --end;
  if (end - begin > 2 && begin[0] == '0' && (begin[1] == 'x' || begin[1] == 'X')) {
    uint64_t u = 0;
    auto r = std::from_chars(begin + 2, end, u, 16);
    if (r.ec != std::errc() || r.ptr != end) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  auto r = std::from_chars(begin, end, *out, 10);
  return r.ec == std::errc() && r.ptr == end && begin != end;
}

void AppendScalar(uint8_t type, const uint8_t* p, uint32_t size, std::string* out) {
  switch (type) {
    case kTypeString:
      AppendUtf16LeAsUtf8(p, TrimTrailingNuls(p, size / 2), out);
      return;
    case kTypeAnsiString: {
      uint32_t n = size;
      while (n > 0 && p[n - 1] == 0) --n;
      out->append(reinterpret_cast<const char*>(p), n);
      return;
    }
    case kTypeAsciiLiteral:
      out->append(reinterpret_cast<const char*>(p), size);
      return;
    case kTypeCharRef: {
      const uint16_t unit = static_cast<uint16_t>(size);
      uint8_t le[2] = {static_cast<uint8_t>(unit & 0xFF), static_cast<uint8_t>(unit >> 8)};
      AppendUtf16LeAsUtf8(le, 1, out);
      return;
    }
    default:
      break;
  }
  const uint32_t fixed = FixedValueSize(type);
  if (type == kTypeSizeT && size == 4) {
    AppendHex(LoadLe32(p), 8, out);
    return;
  }
  if (fixed != 0 && size < fixed) return;
  switch (type) {
    case kTypeInt8:
      AppendSigned(static_cast<int8_t>(p[0]), out);
      break;
    case kTypeUInt8:
      AppendUnsigned(p[0], out);
      break;
    case kTypeInt16:
      AppendSigned(static_cast<int16_t>(LoadLe16(p)), out);
      break;
    case kTypeUInt16:
      AppendUnsigned(LoadLe16(p), out);
      break;
    case kTypeInt32:
      AppendSigned(static_cast<int32_t>(LoadLe32(p)), out);
      break;
    case kTypeUInt32:
      AppendUnsigned(LoadLe32(p), out);
      break;
    case kTypeInt64:
      AppendSigned(static_cast<int64_t>(LoadLe64(p)), out);
      break;
    case kTypeUInt64:
      AppendUnsigned(LoadLe64(p), out);
      break;
    case kTypeReal32: {
      float f;
      std::memcpy(&f, p, 4);
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), f);
      if (r.ec == std::errc()) out->append(buf, r.ptr);
      break;
    }
    case kTypeReal64: {
      double f;
      std::memcpy(&f, p, 8);
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), f);
      if (r.ec == std::errc()) out->append(buf, r.ptr);
      break;
    }
    case kTypeBool:
      out->append(LoadLe32(p) != 0 ? "true" : "false");
      break;
    case kTypeBinary:
      for (uint32_t i = 0; i < size; ++i) {
        out->push_back(kHexUpper[p[i] >> 4]);
        out->push_back(kHexUpper[p[i] & 0xF]);
      }
      break;
    case kTypeGuid:
      AppendGuid(p, out);
      break;
    case kTypeSizeT:
    case kTypeHexInt64:
      AppendHex(LoadLe64(p), 16, out);
      break;
    case kTypeHexInt32:
      AppendHex(LoadLe32(p), 8, out);
      break;
    case kTypeFileTime:
      AppendFileTime(LoadLe64(p), out);
      break;
    case kTypeSysTime:
      AppendSystemTime(p, out);
      break;
    case kTypeSid:
      AppendSid(p, size, out);
      break;
    default:  // Null, EvtHandle, BinXml (rendered by the parser), EvtXml, unknown.
      break;
  }
}

}  // namespace

void AppendFileTime(uint64_t filetime, std::string* out) {
  constexpr uint64_t kTicksPerSecond = 10000000;
  constexpr int64_t kSecondsFrom1601To1970 = 11644473600;
  const uint64_t seconds = filetime / kTicksPerSecond;
  const uint32_t fraction = static_cast<uint32_t>(filetime % kTicksPerSecond);
  const int64_t unix_seconds = static_cast<int64_t>(seconds) - kSecondsFrom1601To1970;
  int64_t days = unix_seconds / 86400;
  int64_t rem = unix_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  AppendIso(y, m, d, static_cast<unsigned>(rem / 3600), static_cast<unsigned>(rem / 60 % 60),
            static_cast<unsigned>(rem % 60), fraction, out);
}

void AppendSystemTime(const uint8_t* p, std::string* out) {
  const unsigned year = LoadLe16(p), month = LoadLe16(p + 2), day = LoadLe16(p + 6);
  const unsigned hour = LoadLe16(p + 8), minute = LoadLe16(p + 10), second = LoadLe16(p + 12);
  const unsigned ms = LoadLe16(p + 14);
  AppendIso(year, month % 100, day % 100, hour % 100, minute % 100, second % 100,
            (ms % 1000) * 10000, out);
}

bool AppendSid(const uint8_t* p, uint32_t size, std::string* out) {
  if (size < 8) return false;
  const unsigned count = p[1];
  if (size < 8 + 4u * count) return false;
  uint64_t authority = 0;
  for (int i = 2; i < 8; ++i) authority = (authority << 8) | p[i];
  out->append("S-");
  AppendUnsigned(p[0], out);
  out->push_back('-');
  AppendUnsigned(authority, out);
  for (unsigned i = 0; i < count; ++i) {
    out->push_back('-');
    AppendUnsigned(LoadLe32(p + 8 + 4 * i), out);
  }
  return true;
}

void AppendGuid(const uint8_t* p, std::string* out) {
  char buf[38];
  char* b = buf;
  auto hex = [&b](uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) *b++ = kHexUpper[(v >> (4 * i)) & 0xF];
  };
  *b++ = '{';
  hex(LoadLe32(p), 8);
  *b++ = '-';
  hex(LoadLe16(p + 4), 4);
  *b++ = '-';
  hex(LoadLe16(p + 6), 4);
  *b++ = '-';
  hex(p[8], 2);
  hex(p[9], 2);
  *b++ = '-';
  for (int i = 10; i < 16; ++i) hex(p[i], 2);
  *b++ = '}';
  out->append(buf, sizeof(buf));
}

void AppendValue(const ValueRef& v, std::string* out) {
  if ((v.type & kTypeArrayBit) == 0) {
    AppendScalar(v.type, v.data, v.size, out);
    return;
  }
  const uint8_t type = v.type & ~kTypeArrayBit;
  bool first = true;
  if (type == kTypeString) {  // NUL-terminated UTF-16 strings, one after the other
    const uint32_t units = v.size / 2;
    uint32_t start = 0;
    for (uint32_t i = 0; i <= units; ++i) {
      if (i == units || LoadLe16(v.data + 2 * i) == 0) {
        if (i == units && i == start) break;
        if (!first) out->append(", ");
        first = false;
        AppendUtf16LeAsUtf8(v.data + 2 * start, i - start, out);
        start = i + 1;
      }
    }
    return;
  }
  if (type == kTypeAnsiString) {
    uint32_t start = 0;
    for (uint32_t i = 0; i <= v.size; ++i) {
      if (i == v.size || v.data[i] == 0) {
        if (i == v.size && i == start) break;
        if (!first) out->append(", ");
        first = false;
        out->append(reinterpret_cast<const char*>(v.data) + start, i - start);
        start = i + 1;
      }
    }
    return;
  }
  uint32_t element = FixedValueSize(type);
  if (type == kTypeSid) element = 0;
  if (element == 0) return;  // arrays of SIDs / binary have no element size: not rendered
  for (uint32_t off = 0; off + element <= v.size; off += element) {
    if (!first) out->append(", ");
    first = false;
    AppendScalar(type, v.data + off, element, out);
  }
}

bool ValueToInt64(const ValueRef& v, int64_t* out) {
  const uint32_t fixed = FixedValueSize(v.type);
  if (fixed != 0 && v.size < fixed) return false;
  switch (v.type) {
    case kTypeInt8:
      *out = static_cast<int8_t>(v.data[0]);
      return true;
    case kTypeUInt8:
      *out = v.data[0];
      return true;
    case kTypeInt16:
      *out = static_cast<int16_t>(LoadLe16(v.data));
      return true;
    case kTypeUInt16:
      *out = LoadLe16(v.data);
      return true;
    case kTypeInt32:
      *out = static_cast<int32_t>(LoadLe32(v.data));
      return true;
    case kTypeUInt32:
    case kTypeHexInt32:
    case kTypeBool:
      *out = LoadLe32(v.data);
      return true;
    case kTypeInt64:
    case kTypeUInt64:
    case kTypeHexInt64:
    case kTypeSizeT:
      *out = static_cast<int64_t>(LoadLe64(v.data));
      return true;
    case kTypeString:
    case kTypeAnsiString: {
      std::string text;
      AppendScalar(v.type, v.data, v.size, &text);
      return ParseInteger(text.data(), text.data() + text.size(), out);
    }
    default:
      return false;
  }
}

void SplitStringArray(const ValueRef& v, std::vector<ValueRef>* out) {
  const uint32_t units = v.size / 2;
  uint32_t start = 0;
  for (uint32_t i = 0; i <= units; ++i) {
    if (i == units || LoadLe16(v.data + 2 * i) == 0) {
      if (i == units && i == start) break;
      out->push_back({v.data + 2 * start, 2 * (i - start), kTypeString});
      start = i + 1;
    }
  }
}

void NormalizeIsoFraction(std::string* text) {
  // "YYYY-MM-DDTHH:MM:SS" is 19 characters; a fraction and "Z" may follow.
  if (text->size() < 20 || (*text)[10] != 'T' || text->back() != 'Z') return;
  const size_t z = text->size() - 1;
  if (z == 19) {
    text->insert(19, ".0000000");
    return;
  }
  if ((*text)[19] != '.') return;
  for (size_t i = 20; i < z; ++i) {
    if ((*text)[i] < '0' || (*text)[i] > '9') return;
  }
  const size_t digits = z - 20;
  if (digits > 7) {
    text->erase(27, digits - 7);
  } else if (digits < 7) {
    text->insert(z, 7 - digits, '0');
  }
}

bool ParseIntegerText(std::string_view text, int64_t* out) {
  return ParseInteger(text.data(), text.data() + text.size(), out);
}

}  // namespace sbscan::evtx
