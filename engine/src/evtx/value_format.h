// Text rendering of BinXML values (FILETIME, SYSTEMTIME, SID, GUID, numbers, strings, arrays).
#ifndef SBSCAN_ENGINE_SRC_EVTX_VALUE_FORMAT_H_
#define SBSCAN_ENGINE_SRC_EVTX_VALUE_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/src/evtx/binxml_types.h"

namespace sbscan::evtx {

// FILETIME (100 ns ticks since 1601-01-01 UTC) as ISO 8601 UTC with 7 fraction digits:
// "2017-08-30T16:31:49.8768395Z".
void AppendFileTime(uint64_t filetime, std::string* out);

// SYSTEMTIME (16 bytes: year, month, weekday, day, hour, minute, second, ms; uint16 each) as
// ISO 8601 UTC with 7 fraction digits.
void AppendSystemTime(const uint8_t* p, std::string* out);

// A SID ("S-1-5-21-…"). Returns false (and appends nothing) when `size` does not hold the
// revision, sub-authority count, authority and sub-authorities.
bool AppendSid(const uint8_t* p, uint32_t size, std::string* out);

// A 16-byte GUID as Windows renders it in event XML: "{0E5B2C41-…}" (upper case, braces).
void AppendGuid(const uint8_t* p, std::string* out);

// Appends the text form of any value as a rendered event shows it. Strings are UTF-16LE
// converted to UTF-8 with trailing NULs dropped; numbers decimal; HexInt32/64 and SizeT as
// "0x" with 8/16 hex digits; Bool "true"/"false"; Binary upper-case hex; arrays joined by
// ", ". Null, EvtHandle, BinXml and malformed sizes append nothing. Never reads outside
// [v.data, v.data + v.size).
void AppendValue(const ValueRef& v, std::string* out);

// Reads an integer value directly (Int8..UInt64, HexInt32/64, SizeT, Bool) or parses a
// decimal / "0x" hexadecimal string value. Returns false when the value holds no integer.
bool ValueToInt64(const ValueRef& v, int64_t* out);

// Splits an array of UTF-16 strings (type kTypeString | kTypeArrayBit: NUL-terminated strings
// one after the other) into one kTypeString value per element, appended to *out.
void SplitStringArray(const ValueRef& v, std::vector<ValueRef>* out);

// Rewrites an ISO 8601 UTC time string in place to exactly 7 fraction digits (the FILETIME
// precision, as FILETIME values render): "…:20.242837300Z" → "…:20.2428373Z",
// "…:20Z" → "…:20.0000000Z". Text that is not of that shape is left alone.
void NormalizeIsoFraction(std::string* text);

// Parses a decimal or "0x" hexadecimal integer, ignoring surrounding blanks.
bool ParseIntegerText(std::string_view text, int64_t* out);

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_VALUE_FORMAT_H_
