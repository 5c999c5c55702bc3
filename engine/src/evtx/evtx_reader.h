// sbscan's native EVTX reader: file and chunk headers, CRC32 checks, event records, BinXML.
#ifndef SBSCAN_ENGINE_SRC_EVTX_EVTX_READER_H_
#define SBSCAN_ENGINE_SRC_EVTX_EVTX_READER_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "sbscan/event.h"

namespace sbscan::evtx {

// Counts for one Read(). `chunks` counts 64 KiB blocks with the chunk signature (read or
// skipped); `bad_chunks` blocks skipped (no signature and not all zero, or unusable header);
// `records` records whose BinXML was read; `bad_records` records skipped (bad signature, size,
// size copy, or BinXML); `events_emitted` calls to on_event.
struct ReaderStats {
  uint64_t chunks = 0, bad_chunks = 0, records = 0, bad_records = 0, events_emitted = 0;
};

class BinXmlParser;
class FieldCollector;

// Reads EVTX files held in memory. Reusable: keeps its buffers between files. Not thread-safe;
// use one reader per thread. Never throws, prints or aborts; every length and offset in the
// file is checked, so hostile or truncated input only produces on_error calls.
class EvtxReader {
 public:
  EvtxReader();
  ~EvtxReader();
  EvtxReader(const EvtxReader&) = delete;
  EvtxReader& operator=(const EvtxReader&) = delete;

  // Reads one EVTX file (`file_bytes`, e.g. mmapped by the caller). Calls on_event for every
  // record whose EventID is 4104, 4103, 400, 403, 600 or 800 (every record when want_all),
  // with an Event whose views borrow the reader's buffers and `file_bytes` and stay valid
  // until on_event returns; source.file = file_name, source.offset = the record's offset in
  // the file. Calls on_error(file_offset, reason) for every problem found (reason is a static
  // string) and reads everything else:
  //  - file header: signature "ElfFile\0" and CRC32 (mismatch reported, reading goes on);
  //  - chunks: every 64 KiB block after the 4 KiB header is tried, whatever the header's
  //    chunk count says. A block without "ElfChnk\0" is skipped (reported unless all zero).
  //    A header CRC32 mismatch is reported; the chunk is skipped only if its header is also
  //    unusable (header size, free-space offset), since each record is checked on its own.
  //    A data CRC32 mismatch is reported and the records are still tried one by one;
  //  - records: signature 0x00002a2a, size inside the chunk, copy of the size at the end,
  //    BinXML that parses and has System/EventID. A bad record is reported, and reading
  //    resumes at the next record signature in the chunk.
  // CRC checks are skipped when the file header's flags say the file has no CRC32 (0x4).
  // For 4104 and 4103 the Event carries ScriptBlockText/Id, MessageNumber/Total, Path,
  // ContextInfo, Payload, UserData from the named EventData. For events with unnamed data
  // (Windows PowerShell 400/403/600/800): context_info = the "key=value" details data
  // (HostApplication=…), payload = the data after it (800: pipeline details), user_data = the
  // first data when it is not the details (800: the command line).
  ReaderStats Read(std::string_view file_bytes, std::string_view file_name,
                   absl::FunctionRef<void(const Event&)> on_event,
                   absl::FunctionRef<void(uint64_t offset, std::string_view reason)> on_error,
                   bool want_all = false);

  // True when `first_bytes` starts with the file signature "ElfFile\0".
  static bool LooksLikeEvtx(std::string_view first_bytes);

 private:
  std::unique_ptr<BinXmlParser> parser_;
  std::unique_ptr<FieldCollector> fields_;
};

}  // namespace sbscan::evtx

#endif  // SBSCAN_ENGINE_SRC_EVTX_EVTX_READER_H_
