#include "engine/src/line_reader.h"

#include <simdjson.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sbscan {

LineReader::LineReader(const LineReaderOptions& options) : options_(options) {}

absl::Status LineReader::Read(int fd, OnLine on_line, OnTooLong on_too_long,
                              uint64_t* bytes_read) {
  constexpr size_t kPad = simdjson::SIMDJSON_PADDING;
  size_t usable = options_.read_size;
  if (buffer_.size() < usable + kPad) buffer_.resize(usable + kPad);
  size_t filled = 0;          // bytes in buffer_[0, filled)
  uint64_t base = 0;          // file offset of buffer_[0]
  uint64_t line_number = 1;   // number of the line starting at buffer_[0]
  bool skipping = false;      // inside an over-long line: drop bytes up to its '\n'
  uint64_t skip_number = 0, skip_offset = 0;
  *bytes_read = 0;
  bool eof = false;
  while (!eof) {
    if (filled == usable) {  // one line fills the whole buffer
      if (usable < options_.max_line_bytes) {
        usable = std::min(options_.max_line_bytes, usable * 2);
        buffer_.resize(usable + kPad);
      } else {
        skipping = true;
        skip_number = line_number;
        skip_offset = base;
        base += filled;
        filled = 0;
      }
    }
    ssize_t n = ::read(fd, buffer_.data() + filled, usable - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "read");
    }
    size_t scan = filled;  // new bytes start here: no '\n' before it
    if (n == 0) {
      eof = true;
      if (filled > 0 && buffer_[filled - 1] != '\n' && !skipping) {
        buffer_[filled++] = '\n';  // the last line has no newline; there is padding room
      }
    }
    *bytes_read += static_cast<uint64_t>(n);
    size_t end = filled + static_cast<size_t>(n);
    size_t start = 0;
    while (true) {
      const char* nl =
          static_cast<const char*>(std::memchr(buffer_.data() + scan, '\n', end - scan));
      if (nl == nullptr) break;
      size_t stop = nl - buffer_.data();
      if (skipping) {
        on_too_long(skip_number, skip_offset);
        skipping = false;
      } else {
        size_t len = stop - start;
        if (len > 0 && buffer_[start + len - 1] == '\r') --len;
        std::string_view line(buffer_.data() + start, len);
        if (line.find_first_not_of(" \t") != std::string_view::npos) {
          on_line(line, buffer_.size() - start, line_number, base + start);
        }
      }
      ++line_number;
      start = scan = stop + 1;
    }
    if (eof && skipping) on_too_long(skip_number, skip_offset);
    // Keep the incomplete tail at the front.
    if (skipping) {
      base += end;
      filled = 0;
    } else {
      std::memmove(buffer_.data(), buffer_.data() + start, end - start);
      base += start;
      filled = end - start;
    }
  }
  return absl::OkStatus();
}

}  // namespace sbscan
