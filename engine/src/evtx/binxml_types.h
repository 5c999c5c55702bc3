// BinXML token and value-type codes ([MS-EVEN6] 3.1.4.7) and a borrowed reference to one value.
#ifndef SBSCAN_ENGINE_SRC_EVTX_BINXML_TYPES_H_
#define SBSCAN_ENGINE_SRC_EVTX_BINXML_TYPES_H_

#include <cstdint>

namespace sbscan::evtx {

// Token codes. The 0x40 bit on open-start-element, value, attribute, CDATA, char and entity
// references means "more data follows" (for elements: an attribute list follows).
enum Token : uint8_t {
  kTokenEndOfStream = 0x00,
  kTokenOpenStartElement = 0x01,
  kTokenCloseStartElement = 0x02,
  kTokenCloseEmptyElement = 0x03,
  kTokenEndElement = 0x04,
  kTokenValue = 0x05,
  kTokenAttribute = 0x06,
  kTokenCDataSection = 0x07,
  kTokenCharRef = 0x08,
  kTokenEntityRef = 0x09,
  kTokenPITarget = 0x0A,
  kTokenPIData = 0x0B,
  kTokenTemplateInstance = 0x0C,
  kTokenNormalSubstitution = 0x0D,
  kTokenOptionalSubstitution = 0x0E,
  kTokenFragmentHeader = 0x0F,
};
inline constexpr uint8_t kTokenMoreBit = 0x40;

// Value types. kTypeArrayBit | type is an array of that type.
enum ValueType : uint8_t {
  kTypeNull = 0x00,
  kTypeString = 0x01,  // UTF-16LE
  kTypeAnsiString = 0x02,
  kTypeInt8 = 0x03,
  kTypeUInt8 = 0x04,
  kTypeInt16 = 0x05,
  kTypeUInt16 = 0x06,
  kTypeInt32 = 0x07,
  kTypeUInt32 = 0x08,
  kTypeInt64 = 0x09,
  kTypeUInt64 = 0x0A,
  kTypeReal32 = 0x0B,
  kTypeReal64 = 0x0C,
  kTypeBool = 0x0D,
  kTypeBinary = 0x0E,
  kTypeGuid = 0x0F,
  kTypeSizeT = 0x10,
  kTypeFileTime = 0x11,
  kTypeSysTime = 0x12,
  kTypeSid = 0x13,
  kTypeHexInt32 = 0x14,
  kTypeHexInt64 = 0x15,
  kTypeEvtHandle = 0x20,
  kTypeBinXml = 0x21,
  kTypeEvtXml = 0x23,
  // Not on disk: pseudo-types for text produced by the parser itself.
  kTypeAsciiLiteral = 0x70,  // `data` points to `size` ASCII bytes (an entity reference)
  kTypeCharRef = 0x71,       // `size` holds the code point
};
inline constexpr uint8_t kTypeArrayBit = 0x80;

// One value: its type and the bytes it borrows (from the file buffer, or a static literal).
struct ValueRef {
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  uint8_t type = kTypeNull;
};

// Size in bytes of a fixed-size value type, 0 for variable-size or unknown types.
constexpr uint32_t FixedValueSize(uint8_t type) {
  switch (type) {
    case kTypeInt8:
    case kTypeUInt8:
      return 1;
    case kTypeInt16:
    case kTypeUInt16:
      return 2;
    case kTypeInt32:
    case kTypeUInt32:
    case kTypeReal32:
    case kTypeBool:
    case kTypeHexInt32:
      return 4;
    case kTypeInt64:
    case kTypeUInt64:
    case kTypeReal64:
    case kTypeFileTime:
    case kTypeHexInt64:
    case kTypeSizeT:  // 64-bit logs
      return 8;
    case kTypeGuid:
    case kTypeSysTime:
      return 16;
    default:
      return 0;
  }
}

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_BINXML_TYPES_H_
