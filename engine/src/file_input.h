// sbscan: reads one input (a file or stdin) of any supported format into a Scanner.
#ifndef SBSCAN_ENGINE_SRC_FILE_INPUT_H_
#define SBSCAN_ENGINE_SRC_FILE_INPUT_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "engine/src/line_reader.h"
#include "sbscan/scanner.h"

namespace sbscan {

// Input formats, detected from the content (after gzip decompression), not the file name:
// EVTX ("ElfFile\0"), Windows Event XML (first byte '<'), PowerShell transcripts (the
// "Windows PowerShell transcript start" header), JSON lines (everything else).
enum class InputFormat : uint8_t { kJsonLines, kEventXml, kEvtx, kTranscript };
std::string_view InputFormatName(InputFormat format);
// `head` is the first bytes of the (decompressed) content.
InputFormat DetectInputFormat(std::string_view head);

struct InputOptions {
  LineReaderOptions lines;
  size_t max_xml_event_bytes = size_t{64} << 20;
  size_t max_evtx_bytes = size_t{4} << 30;        // EVTX is read whole (mapped, or inflated)
  size_t max_transcript_bytes = size_t{256} << 20;
  // When set, raw input bytes are added here as they are read (progress display).
  std::atomic<uint64_t>* progress_bytes = nullptr;
};

// Reads inputs into a Scanner. Gzip-compressed inputs (.gz, any name) are decompressed on the
// fly. Record-level problems become the scanner's diagnostics (file, line or offset, reason);
// ReadFile returns an error only when the input cannot be opened or read at all. Not
// thread-safe; reusable across files (buffers are kept).
class InputReader {
 public:
  explicit InputReader(const InputOptions& options = {});
  ~InputReader();
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  // `path` "-" is stdin.
  absl::Status ReadFile(const std::string& path, Scanner& scanner);
  // The format of the last file read.
  InputFormat last_format() const { return last_format_; }

 private:
  struct Readers;
  InputOptions options_;
  std::unique_ptr<Readers> readers_;
  InputFormat last_format_ = InputFormat::kJsonLines;
};

// Convenience for JSON lines only (kept for callers that know their input).
absl::Status ScanJsonLinesFile(const std::string& path, LineReader& reader, Scanner& scanner);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_FILE_INPUT_H_
