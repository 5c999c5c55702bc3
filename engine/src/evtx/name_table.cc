#include "engine/src/evtx/name_table.h"

#include <cstring>
#include <string_view>

#include "engine/src/evtx/byte_order.h"

namespace sbscan::evtx {
namespace {

constexpr uint32_t kMaxChunkSize = 1u << 16;
constexpr uint32_t kNameHeaderSize = 8;

struct KnownName {
  std::string_view text;
  NameId id;
};
constexpr KnownName kKnownNames[] = {
    {"Event", NameId::kEvent},
    {"System", NameId::kSystem},
    {"Provider", NameId::kProvider},
    {"EventID", NameId::kEventId},
    {"Level", NameId::kLevel},
    {"TimeCreated", NameId::kTimeCreated},
    {"EventRecordID", NameId::kEventRecordId},
    {"Execution", NameId::kExecution},
    {"Channel", NameId::kChannel},
    {"Computer", NameId::kComputer},
    {"Security", NameId::kSecurity},
    {"EventData", NameId::kEventData},
    {"UserData", NameId::kUserData},
    {"Data", NameId::kData},
    {"Name", NameId::kName},
    {"SystemTime", NameId::kSystemTime},
    {"ProcessID", NameId::kProcessId},
    {"ThreadID", NameId::kThreadId},
    {"UserID", NameId::kUserId},
    {"lt", NameId::kLt},
    {"gt", NameId::kGt},
    {"amp", NameId::kAmp},
    {"quot", NameId::kQuot},
    {"apos", NameId::kApos},
};

NameId Classify(const uint8_t* chars, uint32_t count) {
  for (const KnownName& known : kKnownNames) {
    if (known.text.size() != count) continue;
    bool equal = true;
    for (uint32_t i = 0; i < count; ++i) {
      if (chars[2 * i] != static_cast<uint8_t>(known.text[i]) || chars[2 * i + 1] != 0) {
        equal = false;
        break;
      }
    }
    if (equal) return known.id;
  }
  return NameId::kOther;
}

}  // namespace

NameTable::NameTable() : ids_(kMaxChunkSize, 0), sizes_(kMaxChunkSize, 0) {}

void NameTable::Reset(const uint8_t* chunk, uint32_t chunk_size) {
  for (uint32_t offset : touched_) ids_[offset] = 0;
  touched_.clear();
  chunk_ = chunk;
  chunk_size_ = chunk_size < kMaxChunkSize ? chunk_size : kMaxChunkSize;
}

bool NameTable::Plausible(uint32_t offset) const {
  if (offset < 512 || offset >= chunk_size_) return false;
  if (ids_[offset] != 0) return true;
  if (chunk_size_ - offset < kNameHeaderSize + 2) return false;
  const uint32_t count = LoadLe16(chunk_ + offset + 6);
  const uint64_t size = kNameHeaderSize + 2ull * count + 2;
  if (size > chunk_size_ - offset) return false;
  return LoadLe16(chunk_ + offset + kNameHeaderSize + 2 * count) == 0;
}

bool NameTable::Resolve(uint32_t offset, NameId* id, uint32_t* size) {
  if (offset >= chunk_size_) return false;
  if (ids_[offset] != 0) {
    *id = static_cast<NameId>(ids_[offset] - 1);
    *size = sizes_[offset];
    return true;
  }
  if (!Plausible(offset)) return false;
  const uint32_t count = LoadLe16(chunk_ + offset + 6);
  const uint32_t total = kNameHeaderSize + 2 * count + 2;
  *id = Classify(chunk_ + offset + kNameHeaderSize, count);
  *size = total;
  ids_[offset] = static_cast<uint8_t>(static_cast<uint8_t>(*id) + 1);
  sizes_[offset] = static_cast<uint16_t>(total);
  touched_.push_back(offset);
  return true;
}

}  // namespace sbscan::evtx
