#include "engine/src/evtx/evtx_reader.h"

#include <cstring>

#include "engine/src/evtx/binxml_parser.h"
#include "engine/src/evtx/byte_order.h"
#include "engine/src/evtx/chunk_header.h"
#include "engine/src/evtx/crc32.h"
#include "engine/src/evtx/event_fields.h"
#include "engine/src/evtx/file_header.h"

namespace sbscan::evtx {
namespace {

constexpr uint32_t kRecordSignature = 0x00002a2a;
constexpr uint32_t kRecordHeaderSize = 24;
constexpr uint32_t kMinRecordSize = kRecordHeaderSize + 4;

bool WantedEventId(int32_t id) {
  switch (id) {
    case 4104:
    case 4103:
    case 400:
    case 403:
    case 600:
    case 800:
      return true;
    default:
      return false;
  }
}

bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// Offset of the next plausible record (signature, size in range, size copy) at or after
// `from`, or `limit` when there is none.
uint32_t NextRecord(const uint8_t* chunk, uint32_t from, uint32_t limit) {
  static constexpr uint8_t kSig[4] = {0x2a, 0x2a, 0, 0};
  while (from + kMinRecordSize <= limit) {
    const void* hit = std::memchr(chunk + from, 0x2a, limit - from);
    if (hit == nullptr) break;
    const uint32_t at = static_cast<uint32_t>(static_cast<const uint8_t*>(hit) - chunk);
    if (at + kMinRecordSize > limit) break;
    if (std::memcmp(chunk + at, kSig, 4) == 0) {
      const uint32_t size = LoadLe32(chunk + at + 4);
      if (size >= kMinRecordSize && size <= limit - at &&
          LoadLe32(chunk + at + size - 4) == size) {
        return at;
      }
    }
    from = at + 1;
  }
  return limit;
}

}  // namespace

EvtxReader::EvtxReader()
    : parser_(std::make_unique<BinXmlParser>()), fields_(std::make_unique<FieldCollector>()) {}

EvtxReader::~EvtxReader() = default;

bool EvtxReader::LooksLikeEvtx(std::string_view first_bytes) {
  return first_bytes.substr(0, kFileSignature.size()) == kFileSignature;
}

ReaderStats EvtxReader::Read(
    std::string_view file_bytes, std::string_view file_name,
    absl::FunctionRef<void(const Event&)> on_event,
    absl::FunctionRef<void(uint64_t offset, std::string_view reason)> on_error, bool want_all) {
  ReaderStats stats;
  const FileHeader header = ParseFileHeader(file_bytes);
  if (!header.signature_ok) {
    on_error(0, "file signature \"ElfFile\" missing");
  } else if (!header.crc_ok && !header.NoCrc32()) {
    on_error(0, "file header CRC32 mismatch");
  }
  const bool check_crc = !header.NoCrc32();
  if (file_bytes.size() <= kFileHeaderBlockSize) {
    if (header.signature_ok) on_error(0, "file has no chunks (truncated)");
    return stats;
  }
  const auto* file = reinterpret_cast<const uint8_t*>(file_bytes.data());
  Event event;
  event.source.file = file_name;

  for (uint64_t chunk_offset = kFileHeaderBlockSize; chunk_offset < file_bytes.size();
       chunk_offset += kChunkSize) {
    const uint64_t available64 = file_bytes.size() - chunk_offset;
    const uint32_t available =
        static_cast<uint32_t>(available64 < kChunkSize ? available64 : kChunkSize);
    const uint8_t* chunk = file + chunk_offset;
    if (available < kChunkHeaderSize) {
      if (!AllZero(chunk, available)) {
        ++stats.bad_chunks;
        on_error(chunk_offset, "truncated chunk header");
      }
      break;
    }
    const ChunkHeader ch = ParseChunkHeader(chunk, available);
    if (!ch.signature_ok) {
      if (!AllZero(chunk, available)) {
        ++stats.bad_chunks;
        on_error(chunk_offset, "chunk signature \"ElfChnk\" missing; block skipped");
      }
      continue;
    }
    ++stats.chunks;
    if (check_crc && !ch.header_crc_ok) on_error(chunk_offset, "chunk header CRC32 mismatch");
    if (!ch.usable) {
      ++stats.bad_chunks;
      on_error(chunk_offset, "chunk header damaged (size or free-space offset); chunk skipped");
      continue;
    }
    if (available < kChunkSize) on_error(chunk_offset + available, "chunk truncated");
    if (check_crc && ch.free_space_offset <= available && !ch.data_crc_ok) {
      on_error(chunk_offset, "chunk records CRC32 mismatch");
    }
    const uint32_t limit = ch.free_space_offset < available ? ch.free_space_offset : available;
    parser_->StartChunk(chunk, available);

    uint32_t pos = kChunkHeaderSize;
    const bool check_ids = ch.header_crc_ok && ch.first_record_id <= ch.last_record_id;
    bool in_stale_run = false;
    while (pos + kRecordHeaderSize <= limit) {
      const uint64_t record_offset = chunk_offset + pos;
      const char* problem = nullptr;
      uint32_t size = 0;
      if (LoadLe32(chunk + pos) != kRecordSignature) {
        problem = "record signature missing";
      } else {
        size = LoadLe32(chunk + pos + 4);
        if (size < kMinRecordSize || size > limit - pos) {
          problem = "record size out of range";
        } else if (LoadLe32(chunk + pos + size - 4) != size) {
          problem = "record size copy mismatch";
        }
      }
      if (problem != nullptr) {
        ++stats.bad_records;
        on_error(record_offset, problem);
        pos = NextRecord(chunk, pos + 1, limit);
        continue;
      }
      // After damage, a chunk may hold stale records of an older or another log (shadow
      // copies, reused space): when the header is trustworthy, ids outside its range are
      // skipped, reported once per run.
      const uint64_t header_record_id = LoadLe64(chunk + pos + 8);
      if (check_ids && (header_record_id < ch.first_record_id ||
                        header_record_id > ch.last_record_id)) {
        ++stats.bad_records;
        if (!in_stale_run) on_error(record_offset, "stale records (id outside the chunk's range) skipped");
        in_stale_run = true;
        pos += size;
        continue;
      }
      in_stale_run = false;
      fields_->BeginRecord();
      problem = parser_->ParseRecord(pos + kRecordHeaderSize, pos + size - 4, fields_.get());
      int32_t event_id = -1;
      if (problem == nullptr) {
        event_id = fields_->EventId();
        if (event_id < 0) problem = "record has no System/EventID";
      }
      if (problem != nullptr) {
        ++stats.bad_records;
        on_error(record_offset, problem);
        pos += size;
        continue;
      }
      ++stats.records;
      if (want_all || WantedEventId(event_id)) {
        fields_->Fill(static_cast<int64_t>(header_record_id), &event);
        event.source.offset = record_offset;
        ++stats.events_emitted;
        on_event(event);
      }
      pos += size;
    }
  }
  return stats;
}

}  // namespace sbscan::evtx
