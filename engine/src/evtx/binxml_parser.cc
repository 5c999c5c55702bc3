#include "engine/src/evtx/binxml_parser.h"

#include "engine/src/evtx/byte_order.h"

namespace sbscan::evtx {
namespace {


const uint8_t kLt[] = "<";
const uint8_t kGt[] = ">";
const uint8_t kAmp[] = "&";
const uint8_t kQuot[] = "\"";
const uint8_t kApos[] = "'";

ValueRef EntityText(NameId id) {
  switch (id) {
    case NameId::kLt:
      return {kLt, 1, kTypeAsciiLiteral};
    case NameId::kGt:
      return {kGt, 1, kTypeAsciiLiteral};
    case NameId::kAmp:
      return {kAmp, 1, kTypeAsciiLiteral};
    case NameId::kQuot:
      return {kQuot, 1, kTypeAsciiLiteral};
    case NameId::kApos:
      return {kApos, 1, kTypeAsciiLiteral};
    default:
      return {};
  }
}

}  // namespace

BinXmlParser::BinXmlParser(BinXmlLimits limits) : limits_(limits) {}

void BinXmlParser::StartChunk(const uint8_t* chunk, uint32_t chunk_size) {
  chunk_ = chunk;
  chunk_size_ = chunk_size;
  names_.Reset(chunk, chunk_size);
  templates_.Reset(chunk, chunk_size);
}

const char* BinXmlParser::ParseRecord(uint32_t begin, uint32_t end, FieldCollector* out) {
  if (end > chunk_size_ || begin > end) return "record outside its chunk";
  tokens_ = 0;
  values_.clear();
  return ParseFragment(begin, end, 0, false, Frame{}, out);
}

// Reads a name reference (4-byte chunk offset) at `field_pos`. When the offset points just
// past the field, the name is stored inline and is skipped. *next is the position after it.
const char* BinXmlParser::ReadName(uint32_t field_pos, uint32_t end, NameId* id,
                                   uint32_t* next) {
  if (end - field_pos < 4 || field_pos > end) return "truncated name reference";
  const uint32_t offset = LoadLe32(chunk_ + field_pos);
  uint32_t size = 0;
  if (!names_.Resolve(offset, id, &size)) return "bad name offset";
  *next = field_pos + 4;
  if (offset == *next) {
    if (size > end - *next) return "inline name overruns its record";
    *next += size;
  }
  return nullptr;
}

const char* BinXmlParser::ParseFragment(uint32_t pos, uint32_t end, int nesting,
                                        bool in_template, Frame frame, FieldCollector* out) {
  if (nesting > limits_.max_nesting) return "BinXML nested too deeply (cyclic template?)";
  const char* error = nullptr;
  while (pos < end) {
    if (++tokens_ > limits_.max_tokens) return "BinXML token limit reached";
    const uint8_t token = chunk_[pos];
    const uint32_t left = end - pos;
    switch (token & ~kTokenMoreBit) {
      case kTokenEndOfStream:
        return nullptr;
      case kTokenFragmentHeader:
        if (token != kTokenFragmentHeader || left < 4) return "bad fragment header";
        pos += 4;
        break;
      case kTokenOpenStartElement: {
        // token, [dependency id (2)], data size (4), name offset (4) [inline name],
        // [attribute list size (4)]. Template bodies carry the dependency id; records
        // written without a template do not. Take the layout whose name offset is valid.
        uint32_t with_dep = pos + 7, without_dep = pos + 5;
        uint32_t first = in_template ? with_dep : without_dep;
        uint32_t second = in_template ? without_dep : with_dep;
        auto name_ok = [&](uint32_t field) {
          if (field > end || end - field < 4) return false;
          const uint32_t offset = LoadLe32(chunk_ + field);
          if (offset == field + 4) return names_.Plausible(offset);
          return offset < pos && names_.Plausible(offset);
        };
        const uint32_t field = name_ok(first) ? first : second;
        NameId id;
        uint32_t next;
        if ((error = ReadName(field, end, &id, &next)) != nullptr) return error;
        if (token & kTokenMoreBit) {
          if (end - next < 4) return "truncated attribute list";
          next += 4;
        }
        out->OpenElement(id);
        pos = next;
        break;
      }
      case kTokenCloseStartElement:
        out->CloseStartTag();
        ++pos;
        break;
      case kTokenCloseEmptyElement:
        out->CloseStartTag();
        out->EndElement();
        ++pos;
        break;
      case kTokenEndElement:
        out->EndElement();
        ++pos;
        break;
      case kTokenAttribute: {
        NameId id;
        uint32_t next;
        if ((error = ReadName(pos + 1, end, &id, &next)) != nullptr) return error;
        out->Attribute(id);
        pos = next;
        break;
      }
      case kTokenValue: {
        if (left < 2) return "truncated value";
        const uint8_t type = chunk_[pos + 1];
        uint32_t p = pos + 2;
        ValueRef v;
        v.type = type;
        if (type == kTypeString || type == kTypeAnsiString || type == kTypeBinary) {
          if (end - p < 2) return "truncated value";
          const uint32_t count = LoadLe16(chunk_ + p);
          const uint32_t bytes = type == kTypeString ? 2 * count : count;
          p += 2;
          if (end - p < bytes) return "value overruns its record";
          v.data = chunk_ + p;
          v.size = bytes;
          p += bytes;
        } else if (type == kTypeNull) {
          v.data = chunk_ + p;
        } else if (type == kTypeSid) {
          if (end - p < 8) return "truncated SID value";
          const uint32_t bytes = 8 + 4u * chunk_[p + 1];
          if (end - p < bytes) return "SID value overruns its record";
          v.data = chunk_ + p;
          v.size = bytes;
          p += bytes;
        } else {
          const uint32_t bytes = FixedValueSize(type);
          if (bytes == 0) return "unsupported inline value type";
          if (end - p < bytes) return "value overruns its record";
          v.data = chunk_ + p;
          v.size = bytes;
          p += bytes;
        }
        out->Text(v);
        pos = p;
        break;
      }
      case kTokenCDataSection: {
        if (left < 3) return "truncated CDATA";
        const uint32_t bytes = 2u * LoadLe16(chunk_ + pos + 1);
        if (left - 3 < bytes) return "CDATA overruns its record";
        out->Text({chunk_ + pos + 3, bytes, kTypeString});
        pos += 3 + bytes;
        break;
      }
      case kTokenCharRef: {
        if (left < 3) return "truncated character reference";
        out->Text({nullptr, LoadLe16(chunk_ + pos + 1), kTypeCharRef});
        pos += 3;
        break;
      }
      case kTokenEntityRef: {
        NameId id;
        uint32_t next;
        if ((error = ReadName(pos + 1, end, &id, &next)) != nullptr) return error;
        const ValueRef text = EntityText(id);
        if (text.data != nullptr) out->Text(text);
        pos = next;
        break;
      }
      case kTokenPITarget: {
        if (token != kTokenPITarget) return "unknown BinXML token";
        NameId id;
        if ((error = ReadName(pos + 1, end, &id, &pos)) != nullptr) return error;
        break;
      }
      case kTokenPIData: {
        if (token != kTokenPIData || left < 3) return "bad processing instruction data";
        const uint32_t bytes = 2u * LoadLe16(chunk_ + pos + 1);
        if (left - 3 < bytes) return "processing instruction overruns its record";
        pos += 3 + bytes;
        break;
      }
      case kTokenTemplateInstance: {
        // token, unknown (1), template id (4), definition offset (4); the definition follows
        // inline when the offset points here; then value count (4), descriptors
        // (size 2, type 1, unknown 1) and the values.
        if (token != kTokenTemplateInstance || left < 10) return "truncated template instance";
        const uint32_t def_offset = LoadLe32(chunk_ + pos + 6);
        uint32_t p = pos + 10;
        TemplateBody body;
        if (!templates_.Find(def_offset, &body)) return "bad template definition offset";
        if (def_offset == p) {
          if (body.end > end) return "template definition overruns its record";
          p = body.end;
        }
        if (end - p < 4) return "truncated template values";
        const uint32_t count = LoadLe32(chunk_ + p);
        p += 4;
        if (count > (end - p) / 4) return "template value count overruns its record";
        const uint32_t descriptors = p;
        p += 4 * count;
        const size_t base = values_.size();
        for (uint32_t i = 0; i < count; ++i) {
          const uint32_t size = LoadLe16(chunk_ + descriptors + 4 * i);
          const uint8_t type = chunk_[descriptors + 4 * i + 2];
          if (end - p < size) {
            values_.resize(base);
            return "template values overrun their record";
          }
          values_.push_back({chunk_ + p, size, type});
          p += size;
        }
        error = ParseFragment(body.begin, body.end, nesting + 1, true,
                              Frame{static_cast<uint32_t>(base), count}, out);
        values_.resize(base);
        if (error != nullptr) return error;
        pos = p;
        break;
      }
      case kTokenNormalSubstitution:
      case kTokenOptionalSubstitution: {
        if (token & kTokenMoreBit) return "unknown BinXML token";
        if (left < 4) return "truncated substitution";
        const uint32_t index = LoadLe16(chunk_ + pos + 1);
        pos += 4;
        if (index >= frame.values_count) return "substitution index out of range";
        const ValueRef v = values_[frame.values_base + index];
        if (v.type == kTypeNull) break;
        if (v.type == kTypeBinXml) {
          const uint32_t begin = static_cast<uint32_t>(v.data - chunk_);
          error = ParseFragment(begin, begin + v.size, nesting + 1, false, Frame{}, out);
          if (error != nullptr) return error;
          break;
        }
        if (token == kTokenOptionalSubstitution && v.size == 0) break;
        out->Text(v);
        break;
      }
      default:
        return "unknown BinXML token";
    }
  }
  return nullptr;
}

}  // namespace sbscan::evtx
