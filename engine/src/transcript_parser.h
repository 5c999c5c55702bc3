// sbscan: PowerShell transcript files (PowerShell_transcript.<host>.<random>.<timestamp>.txt).
#ifndef SBSCAN_ENGINE_SRC_TRANSCRIPT_PARSER_H_
#define SBSCAN_ENGINE_SRC_TRANSCRIPT_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace sbscan {

struct TranscriptOptions {
  size_t max_file_bytes = size_t{256} << 20;  // larger inputs are rejected (OutOfRange)
  size_t max_commands = size_t{1} << 20;      // further commands are dropped and counted
  size_t max_header_fields = 64;              // per session; further fields are dropped
};

// How the file was encoded (it is converted to UTF-8 for parsing).
enum class TranscriptEncoding : uint8_t {
  kUtf8,       // no BOM
  kUtf8Bom,    // Windows PowerShell 5.1 and PowerShell 7 on Windows
  kUtf16Le,    // with BOM (older Windows PowerShell), or without BOM when detected
  kUtf16Be,    // with BOM
};
std::string_view TranscriptEncodingName(TranscriptEncoding encoding);

struct TranscriptField {
  std::string_view key;
  std::string_view value;
};

// One transcript session: the "**********************" / "Windows PowerShell transcript
// start" header block and, when present, its end footer. A file written with -Append holds
// several. Views borrow from the parser (see TranscriptParser).
struct TranscriptSession {
  std::string_view start_time;          // "20240305142207" as written
  std::string_view username;            // "CORP\analyst"
  std::string_view run_as_user;
  std::string_view configuration_name;  // JEA endpoint name, usually empty
  std::string_view machine;             // "WS01 (Microsoft Windows NT 10.0.19045.0)"
  std::string_view host_application;    // the host's command line
  std::string_view process_id;
  std::string_view ps_version;
  std::string_view end_time;            // from the footer; empty when the session did not end
  std::vector<TranscriptField> fields;  // every "Key: Value" line of the header, in order
  uint64_t line = 0;                    // 1-based line of the opening star line
  uint64_t offset = 0;                  // its byte offset in the original file
  bool ended = false;
};

// One command typed at (or run through) a prompt: "PS C:\Users\analyst> command" or
// "PS>command", with its ">> " continuation lines.
struct TranscriptCommand {
  std::string_view text;        // the command; continuation lines joined with "\n", no ">> "
  std::string_view prompt;      // "PS C:\Users\analyst>" or "PS>"
  std::string_view start_time;  // from a preceding "Command start time:" block, or empty
  uint64_t line = 0;            // 1-based line of the prompt line
  uint64_t offset = 0;          // byte offset of the prompt line in the original file
  uint32_t lines = 1;           // physical lines (1 + continuation lines)
  uint32_t session = 0;         // index into sessions(); 0 also when no header was seen
};

// What the engine scans for a transcript: each command, and each session's host command line.
struct TranscriptScanItem {
  enum class Kind : uint8_t { kCommand, kHostApplication };
  Kind kind = Kind::kCommand;
  std::string_view text;
  uint64_t line = 0;
  uint64_t offset = 0;
  size_t index = 0;  // into commands() or sessions()
};

// Parses one transcript file held in memory. Accepts UTF-8 with or without BOM, UTF-16LE (with
// BOM, or without when the content shows it) and UTF-16BE with BOM; converts to UTF-8 (invalid
// UTF-16 becomes U+FFFD). CR LF and LF line ends. Lines and offsets refer to the original
// file's bytes. Output lines between commands are not kept.
//
// All views (sessions(), commands(), ScanItems(), text()) borrow from this parser and are valid
// until the next Parse(). Not thread-safe; reusable.
class TranscriptParser {
 public:
  explicit TranscriptParser(const TranscriptOptions& options = {});

  // Errors: OutOfRange when the file exceeds max_file_bytes; InvalidArgument when it has
  // neither a transcript header nor a prompt line (not a transcript). A file cut short (no
  // footer) is not an error: its session has ended == false.
  absl::Status Parse(std::string_view file_bytes);

  const std::vector<TranscriptSession>& sessions() const { return sessions_; }
  const std::vector<TranscriptCommand>& commands() const { return commands_; }
  size_t commands_dropped() const { return commands_dropped_; }
  TranscriptEncoding encoding() const { return encoding_; }
  std::string_view text() const { return text_; }  // the file as UTF-8, without BOM

  // One item per command (in order) and one per session with a host application, the
  // latter first within its session.
  std::vector<TranscriptScanItem> ScanItems() const;

 private:
  uint64_t OriginalOffset(size_t utf8_offset) const;

  TranscriptOptions options_;
  TranscriptEncoding encoding_ = TranscriptEncoding::kUtf8;
  std::string text_;
  std::string joined_;  // multi-line commands; reserved to text_.size(), never reallocates
  // UTF-16 input: for each UTF-8 line start (after '\n'), the original offset.
  std::vector<std::pair<size_t, uint64_t>> offset_map_;
  size_t bom_bytes_ = 0;
  std::vector<TranscriptSession> sessions_;
  std::vector<TranscriptCommand> commands_;
  size_t commands_dropped_ = 0;
};

// True for names like "PowerShell_transcript.WS01.Xy12AbCd.20240305142207.txt"
// (case-insensitive; only the final path component is looked at).
bool IsTranscriptFileName(std::string_view path);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_TRANSCRIPT_PARSER_H_
