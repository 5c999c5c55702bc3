#include "engine/src/transcript_parser.h"


#include <algorithm>

#include "absl/strings/str_cat.h"
#include "decoders/utf8.h"
#include "engine/src/ascii.h"

namespace sbscan {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsStarLine(std::string_view line) {
  if (line.size() < 10) return false;
  return std::all_of(line.begin(), line.end(), [](char c) { return c == '*'; });
}

bool IsStartBanner(std::string_view line) {
  return line == "Windows PowerShell transcript start" || line == "PowerShell transcript start";
}

bool IsEndBanner(std::string_view line) {
  return line == "Windows PowerShell transcript end" || line == "PowerShell transcript end";
}

// "PS C:\path> cmd" or "PS>cmd": sets the prompt and the command text.
bool ParsePrompt(std::string_view line, std::string_view* prompt, std::string_view* command) {
  if (!StartsWith(line, "PS")) return false;
  if (line.size() < 3) return false;
  size_t gt;
  if (line[2] == '>') {
    gt = 2;
  } else if (line[2] == ' ') {
    gt = line.find('>', 3);
    if (gt == std::string_view::npos) return false;
  } else {
    return false;
  }
  *prompt = line.substr(0, gt + 1);
  std::string_view rest = line.substr(gt + 1);
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  *command = rest;
  return true;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view TranscriptEncodingName(TranscriptEncoding encoding) {
  switch (encoding) {
    case TranscriptEncoding::kUtf8:
      return "utf-8";
    case TranscriptEncoding::kUtf8Bom:
      return "utf-8-bom";
    case TranscriptEncoding::kUtf16Le:
      return "utf-16le";
    case TranscriptEncoding::kUtf16Be:
      return "utf-16be";
  }
  return "unknown";
}

TranscriptParser::TranscriptParser(const TranscriptOptions& options) : options_(options) {}

uint64_t TranscriptParser::OriginalOffset(size_t utf8_offset) const {
  if (offset_map_.empty()) return bom_bytes_ + utf8_offset;
  // Last map entry at or before utf8_offset; callers only ask for line starts.
  auto it = std::upper_bound(
      offset_map_.begin(), offset_map_.end(), utf8_offset,
      [](size_t v, const std::pair<size_t, uint64_t>& e) { return v < e.first; });
  if (it == offset_map_.begin()) return bom_bytes_;
  --it;
  return it->second;
}

absl::Status TranscriptParser::Parse(std::string_view bytes) {
  text_.clear();
  joined_.clear();
  offset_map_.clear();
  sessions_.clear();
  commands_.clear();
  commands_dropped_ = 0;
  bom_bytes_ = 0;
  if (bytes.size() > options_.max_file_bytes) {
    return absl::OutOfRangeError(absl::StrCat("transcript of ", bytes.size(),
                                              " bytes exceeds max_file_bytes ",
                                              options_.max_file_bytes));
  }

  // Encoding.
  bool utf16 = false, big_endian = false;
  if (StartsWith(bytes, "\xEF\xBB\xBF")) {
    encoding_ = TranscriptEncoding::kUtf8Bom;
    bom_bytes_ = 3;
  } else if (StartsWith(bytes, "\xFF\xFE")) {
    encoding_ = TranscriptEncoding::kUtf16Le;
    bom_bytes_ = 2;
    utf16 = true;
  } else if (StartsWith(bytes, "\xFE\xFF")) {
    encoding_ = TranscriptEncoding::kUtf16Be;
    bom_bytes_ = 2;
    utf16 = big_endian = true;
  } else if (bytes.size() >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 &&
             bytes[3] == 0) {
    encoding_ = TranscriptEncoding::kUtf16Le;  // no BOM, but ASCII in UTF-16LE
    utf16 = true;
  } else {
    encoding_ = TranscriptEncoding::kUtf8;
  }
  if (!utf16) {
    text_.assign(bytes.substr(bom_bytes_));
  } else {
    text_.reserve(bytes.size() + bytes.size() / 2);
    const size_t n = bytes.size();
    auto unit = [&](size_t i) -> uint32_t {
      uint8_t a = static_cast<uint8_t>(bytes[i]), b = static_cast<uint8_t>(bytes[i + 1]);
      return big_endian ? (uint32_t{a} << 8 | b) : (uint32_t{b} << 8 | a);
    };
    size_t i = bom_bytes_;
    while (i + 1 < n) {
      uint32_t u = unit(i);
      size_t used = 2;
      uint32_t cp = u;
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (i + 3 < n) {
          uint32_t lo = unit(i + 2);
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            used = 4;
          } else {
            cp = 0xFFFD;
          }
        } else {
          cp = 0xFFFD;
        }
      } else if (u >= 0xDC00 && u <= 0xDFFF) {
        cp = 0xFFFD;
      }
      decoders::AppendUtf8(cp, &text_);
      i += used;
      if (cp == '\n') offset_map_.push_back({text_.size(), i});
    }
    if (i < n) decoders::AppendUtf8(0xFFFD, &text_);  // odd trailing byte
  }
  joined_.reserve(text_.size());

  // Lines.
  std::string_view text = text_;
  enum class Mode : uint8_t { kNone, kHeader, kFooter, kInvocation, kCommand };
  Mode mode = Mode::kNone;
  std::string_view pending_start_time;
  bool saw_header = false;
  size_t current_session = 0;
  TranscriptCommand* open = nullptr;  // command that may still get ">> " lines
  bool open_joined = false;
  uint64_t line_number = 0;
  size_t pos = 0;
  size_t prev_star_pos = 0;
  uint64_t prev_star_line = 0;
  bool prev_was_star = false;

  auto close_open = [&]() {
    if (open != nullptr && TrimRight(open->text).empty() && open->lines == 1) {
      commands_.pop_back();  // an empty prompt (Enter pressed)
    }
    open = nullptr;
    open_joined = false;
  };

  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, line_end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    size_t line_pos = pos;
    pos = nl == std::string_view::npos ? text.size() : nl + 1;

    if (open != nullptr && StartsWith(line, ">>") &&
        (line.size() == 2 || line[2] == ' ')) {
      std::string_view more = line.size() > 3 ? line.substr(3) : std::string_view();
      if (!open_joined) {
        size_t start = joined_.size();
        joined_.append(open->text.data(), open->text.size());
        open->text = std::string_view(joined_.data() + start, open->text.size());
        open_joined = true;
      }
      joined_.push_back('\n');
      joined_.append(more.data(), more.size());
      open->text = std::string_view(open->text.data(), open->text.size() + 1 + more.size());
      ++open->lines;
      continue;
    }
    if (IsStarLine(line)) {
      close_open();
      if (mode == Mode::kHeader || mode == Mode::kFooter || mode == Mode::kInvocation) {
        mode = Mode::kNone;  // end of a block
        prev_was_star = false;
        continue;
      }
      prev_was_star = true;
      prev_star_pos = line_pos;
      prev_star_line = line_number;
      continue;
    }
    if (prev_was_star) {
      prev_was_star = false;
      if (IsStartBanner(line)) {
        mode = Mode::kHeader;
        saw_header = true;
        TranscriptSession session;
        session.line = prev_star_line;
        session.offset = OriginalOffset(prev_star_pos);
        sessions_.push_back(std::move(session));
        current_session = sessions_.size() - 1;
        continue;
      }
      if (IsEndBanner(line)) {
        mode = Mode::kFooter;
        if (!sessions_.empty()) sessions_.back().ended = true;
        continue;
      }
      if (StartsWith(line, "Command start time:")) {
        mode = Mode::kInvocation;
        std::string_view v = line.substr(19);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        pending_start_time = v;
        continue;
      }
    }
    if (mode == Mode::kHeader || mode == Mode::kFooter) {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view key = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (sessions_.empty()) continue;  // a footer without any header before it
      TranscriptSession& s = sessions_.back();
      if (mode == Mode::kFooter) {
        if (key == "End time") s.end_time = value;
        continue;
      }
      if (s.fields.size() < options_.max_header_fields) s.fields.push_back({key, value});
      if (key == "Start time") {
        s.start_time = value;
      } else if (key == "Username") {
        s.username = value;
      } else if (key == "RunAs User") {
        s.run_as_user = value;
      } else if (key == "Configuration Name") {
        s.configuration_name = value;
      } else if (key == "Machine") {
        s.machine = value;
      } else if (key == "Host Application") {
        s.host_application = value;
      } else if (key == "Process ID") {
        s.process_id = value;
      } else if (key == "PSVersion") {
        s.ps_version = value;
      }
      continue;
    }
    if (mode == Mode::kInvocation) continue;  // only "Command start time" matters there

    std::string_view prompt, command;
    if (ParsePrompt(line, &prompt, &command)) {
      close_open();
      if (commands_.size() >= options_.max_commands) {
        ++commands_dropped_;
        pending_start_time = {};
        continue;
      }
      TranscriptCommand c;
      c.text = command;
      c.prompt = prompt;
      c.start_time = pending_start_time;
      c.line = line_number;
      c.offset = OriginalOffset(line_pos);
      c.session = static_cast<uint32_t>(current_session);
      commands_.push_back(c);
      open = &commands_.back();
      pending_start_time = {};
      continue;
    }
    // Output: it closes the command (">> " lines only follow the prompt line directly).
    close_open();
  }
  close_open();
  if (!saw_header && commands_.empty()) {
    return absl::InvalidArgumentError(
        "not a PowerShell transcript: no \"transcript start\" header and no PS> prompt line");
  }
  return absl::OkStatus();
}

std::vector<TranscriptScanItem> TranscriptParser::ScanItems() const {
  std::vector<TranscriptScanItem> items;
  items.reserve(commands_.size() + sessions_.size());
  size_t next_session = 0;
  auto add_sessions_up_to = [&](size_t session) {
    for (; next_session <= session && next_session < sessions_.size(); ++next_session) {
      const TranscriptSession& s = sessions_[next_session];
      if (s.host_application.empty()) continue;
      TranscriptScanItem item;
      item.kind = TranscriptScanItem::Kind::kHostApplication;
      item.text = s.host_application;
      item.line = s.line;
      item.offset = s.offset;
      item.index = next_session;
      items.push_back(item);
    }
  };
  for (size_t i = 0; i < commands_.size(); ++i) {
    const TranscriptCommand& c = commands_[i];
    add_sessions_up_to(c.session);
    TranscriptScanItem item;
    item.kind = TranscriptScanItem::Kind::kCommand;
    item.text = c.text;
    item.line = c.line;
    item.offset = c.offset;
    item.index = i;
    items.push_back(item);
  }
  add_sessions_up_to(sessions_.size());
  return items;
}

bool IsTranscriptFileName(std::string_view path) {
  size_t slash = path.find_last_of("/\\");
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  constexpr std::string_view kPrefix = "powershell_transcript.";
  constexpr std::string_view kSuffix = ".txt";
  if (name.size() < kPrefix.size() + kSuffix.size()) return false;
  return EqualsIgnoreCaseAscii(name.substr(0, kPrefix.size()), kPrefix) &&
         EqualsIgnoreCaseAscii(name.substr(name.size() - kSuffix.size()), kSuffix);
}

}  // namespace sbscan
