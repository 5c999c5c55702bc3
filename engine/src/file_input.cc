#include "engine/src/file_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/src/byte_source.h"
#include "engine/src/evtx/evtx_reader.h"
#include "engine/src/parallel_scanner.h"
#include "engine/src/transcript_parser.h"
#include "engine/src/xml_event_splitter.h"

namespace sbscan {
namespace {

constexpr size_t kHeadBytes = 4096;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Skips a UTF-8 BOM and leading whitespace.
std::string_view Trimmed(std::string_view head) {
  if (StartsWith(head, "\xEF\xBB\xBF")) head.remove_prefix(3);
  size_t i = head.find_first_not_of(" \t\r\n");
  return i == std::string_view::npos ? std::string_view() : head.substr(i);
}

// "20240305142207" (transcript header) -> "2024-03-05T14:22:07" (the machine's local time).
std::string TranscriptTime(std::string_view t) {
  if (t.size() != 14 || t.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::string(t);
  }
  return std::string(t.substr(0, 4)) + "-" + std::string(t.substr(4, 2)) + "-" +
         std::string(t.substr(6, 2)) + "T" + std::string(t.substr(8, 2)) + ":" +
         std::string(t.substr(10, 2)) + ":" + std::string(t.substr(12, 2));
}

// "WS01 (Microsoft Windows NT 10.0.19045.0)" -> "WS01".
std::string_view MachineName(std::string_view machine) {
  return machine.substr(0, machine.find(" ("));
}

// An open input: its descriptor (owned unless stdin).
class OpenInput {
 public:
  ~OpenInput() {
    if (fd_ > 0) ::close(fd_);
  }
  absl::Status Open(const std::string& path) {
    if (path == "-") {
      fd_ = 0;
      return absl::OkStatus();
    }
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
    return absl::OkStatus();
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kJsonLines: return "json-lines";
    case InputFormat::kEventXml: return "event-xml";
    case InputFormat::kEvtx: return "evtx";
    case InputFormat::kTranscript: return "transcript";
  }
  return "unknown";
}

InputFormat DetectInputFormat(std::string_view head) {
  if (evtx::EvtxReader::LooksLikeEvtx(head)) return InputFormat::kEvtx;
  if (StartsWith(head, "\xFF\xFE") || StartsWith(head, "\xFE\xFF")) {
    return InputFormat::kTranscript;  // UTF-16 text: transcripts are the only such input
  }
  std::string_view t = Trimmed(head);
  if (StartsWith(t, "<")) return InputFormat::kEventXml;
  if (StartsWith(t, "**********************") &&
      t.find("PowerShell transcript start") != std::string_view::npos) {
    return InputFormat::kTranscript;
  }
  return InputFormat::kJsonLines;
}

struct InputReader::Readers {
  explicit Readers(const InputOptions& o)
      : lines(o.lines), xml_splitter(XmlEventSplitterOptions{o.max_xml_event_bytes}) {}
  LineReader lines;
  XmlEventSplitter xml_splitter;
  evtx::EvtxReader evtx;
  TranscriptParser transcript;
  std::string buffer;
};

InputReader::InputReader(const InputOptions& options)
    : options_(options), readers_(std::make_unique<Readers>(options)) {}
InputReader::~InputReader() = default;

absl::Status InputReader::ReadFile(const std::string& path, Scanner& scanner) {
  OpenInput input;
  if (absl::Status s = input.Open(path); !s.ok()) return s;
  FdSource raw_source(input.fd());
  CountingSource fd_source(raw_source, options_.progress_bytes);
  std::string head(kHeadBytes, '\0');
  ssize_t n = ReadFully(fd_source, head.data(), 2);
  if (n < 0) return absl::DataLossError(absl::StrCat(path, ": ", fd_source.error()));
  head.resize(static_cast<size_t>(n));
  bool gzip = head.size() == 2 && head[0] == '\x1f' && head[1] == '\x8b';

  // The content stream: the bytes peeked so far, then the rest (inflated when gzip).
  std::unique_ptr<ByteSource> owned;
  ByteSource* content;
  std::string name = path == "-" ? "-" : path;
  if (gzip) {
    if (input.fd() != 0) {
      ::lseek(input.fd(), 0, SEEK_SET);
      owned = std::make_unique<GzipSource>(input.fd());
    } else {
      return absl::UnimplementedError("gzip on stdin: pipe it through zcat");
    }
    content = owned.get();
    head.assign(kHeadBytes, '\0');
    n = ReadFully(*content, head.data(), kHeadBytes);
  } else {
    head.resize(kHeadBytes);
    ssize_t more = ReadFully(fd_source, head.data() + n, kHeadBytes - n);
    n = more < 0 ? -1 : n + more;
    content = &fd_source;
  }
  if (n < 0) return absl::DataLossError(absl::StrCat(path, ": ", content->error()));
  head.resize(static_cast<size_t>(n));
  last_format_ = DetectInputFormat(head);
  PrefixedSource stream(head, *content);
  uint64_t bytes = 0;
  Readers& r = *readers_;

  switch (last_format_) {
    case InputFormat::kJsonLines: {
      absl::Status s = r.lines.Read(
          stream,
          [&](std::string_view line, size_t capacity, uint64_t number, uint64_t offset) {
            scanner.AddJsonRecord(line, capacity, SourceLocation{name, number, offset});
          },
          [&](uint64_t number, uint64_t offset) {
            scanner.AddMalformed(SourceLocation{name, number, offset},
                                 "line longer than --max-line-bytes");
          },
          &bytes);
      scanner.CountBytes(bytes);
      if (!s.ok()) return absl::DataLossError(absl::StrCat(path, ": ", s.message()));
      return absl::OkStatus();
    }
    case InputFormat::kEventXml: {
      r.xml_splitter.Reset();
      std::string& chunk = r.buffer;
      chunk.resize(size_t{1} << 20);
      auto drain = [&] {
        XmlSplitItem item;
        while (r.xml_splitter.Next(&item)) {
          SourceLocation where{name, 0, item.offset};
          if (item.kind == XmlSplitKind::kEvent) {
            scanner.AddXmlRecord(item.xml, where);
          } else if (item.kind != XmlSplitKind::kGarbage ||
                     item.xml.find_first_not_of(" \t\r\n") != std::string_view::npos) {
            std::string_view reason = item.kind == XmlSplitKind::kTooLong
                                          ? "XML event longer than its limit"
                                      : item.kind == XmlSplitKind::kTruncated
                                          ? "truncated XML event"
                                          : "text between XML events";
            scanner.AddMalformed(where, reason);
          }
        }
      };
      while (true) {
        ssize_t got = stream.Read(chunk.data(), chunk.size());
        if (got < 0) return absl::DataLossError(absl::StrCat(path, ": ", stream.error()));
        if (got == 0) break;
        bytes += static_cast<uint64_t>(got);
        r.xml_splitter.Feed(std::string_view(chunk.data(), static_cast<size_t>(got)));
        drain();
      }
      r.xml_splitter.Finish();
      drain();
      scanner.CountBytes(bytes);
      return absl::OkStatus();
    }
    case InputFormat::kEvtx:
    case InputFormat::kTranscript: {
      // Read whole: EVTX needs random access; transcripts are parsed as one document.
      size_t limit = last_format_ == InputFormat::kEvtx ? options_.max_evtx_bytes
                                                        : options_.max_transcript_bytes;
      MappedFile map;
      std::string_view all;
      if (!gzip && input.fd() != 0 && map.Open(path)) {
        all = map.bytes();
        if (options_.progress_bytes != nullptr) *options_.progress_bytes += all.size();
      } else {
        std::string& data = r.buffer;
        data.clear();
        char buf[1 << 16];
        while (true) {
          ssize_t got = stream.Read(buf, sizeof(buf));
          if (got < 0) return absl::DataLossError(absl::StrCat(path, ": ", stream.error()));
          if (got == 0) break;
          if (data.size() + static_cast<size_t>(got) > limit) {
            return absl::ResourceExhaustedError(
                absl::StrCat(path, ": larger than the limit for ", std::string(InputFormatName(last_format_))));
          }
          data.append(buf, static_cast<size_t>(got));
        }
        all = data;
      }
      if (all.size() > limit) {
        return absl::ResourceExhaustedError(
            absl::StrCat(path, ": larger than the limit for ", std::string(InputFormatName(last_format_))));
      }
      scanner.CountBytes(all.size());
      if (last_format_ == InputFormat::kEvtx) {
        r.evtx.Read(
            all, name, [&](const Event& e) { scanner.AddEvent(e); },
            [&](uint64_t offset, std::string_view reason) {
              scanner.AddMalformed(SourceLocation{name, 0, offset}, reason);
            });
        return absl::OkStatus();
      }
      if (absl::Status s = r.transcript.Parse(all); !s.ok()) {
        scanner.AddMalformed(SourceLocation{name, 0, 0}, s.message().data());
        return absl::OkStatus();
      }
      for (const TranscriptScanItem& item : r.transcript.ScanItems()) {
        static const TranscriptSession kNoSession;  // commands before any header
        const auto& sessions = r.transcript.sessions();
        size_t index = item.kind == TranscriptScanItem::Kind::kCommand
                           ? r.transcript.commands()[item.index].session
                           : item.index;
        const TranscriptSession* session =
            index < sessions.size() ? &sessions[index] : &kNoSession;
        TextRecord record;
        std::string time = TranscriptTime(session->start_time);
        record.text = item.text;
        record.host = MachineName(session->machine);
        record.time_created = time;
        record.user_id = session->username;
        record.origin = item.kind == TranscriptScanItem::Kind::kCommand
                            ? "transcript"
                            : "transcript-host-application";
        record.where = SourceLocation{name, item.line, item.offset};
        scanner.AddTextRecord(record);
      }
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status ScanJsonLinesFile(const std::string& path, LineReader& reader, Scanner& scanner) {
  OpenInput input;
  if (absl::Status s = input.Open(path); !s.ok()) return s;
  FdSource source(input.fd());
  uint64_t bytes = 0;
  std::string_view name = path;
  absl::Status status = reader.Read(
      source,
      [&](std::string_view line, size_t capacity, uint64_t number, uint64_t offset) {
        scanner.AddJsonRecord(line, capacity, SourceLocation{name, number, offset});
      },
      [&](uint64_t number, uint64_t offset) {
        scanner.AddMalformed(SourceLocation{name, number, offset},
                             "line longer than --max-line-bytes");
      },
      &bytes);
  scanner.CountBytes(bytes);
  if (!status.ok()) return absl::DataLossError(absl::StrCat(path, ": ", status.message()));
  return absl::OkStatus();
}

}  // namespace sbscan
