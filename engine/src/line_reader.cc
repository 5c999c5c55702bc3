#include "engine/src/line_reader.h"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sbscan {

namespace {
constexpr size_t kPad = simdjson::SIMDJSON_PADDING;
}

LineReader::LineReader(const LineReaderOptions& options) : options_(options) { Reset(); }

void LineReader::Reset() {
  usable_ = options_.read_size;
  filled_ = 0;
  base_ = 0;
  line_number_ = 1;
  skipping_ = false;
}

void LineReader::Split(size_t scan_from, size_t end, OnLine on_line, OnTooLong on_too_long) {
  size_t start = 0;
  size_t scan = scan_from;
  while (true) {
    const char* nl =
        static_cast<const char*>(std::memchr(buffer_.data() + scan, '\n', end - scan));
    if (nl == nullptr) break;
    size_t stop = nl - buffer_.data();
    if (skipping_) {
      on_too_long(skip_number_, skip_offset_);
      skipping_ = false;
    } else {
      size_t len = stop - start;
      if (len > 0 && buffer_[start + len - 1] == '\r') --len;
      std::string_view line(buffer_.data() + start, len);
      if (line.find_first_not_of(" \t") != std::string_view::npos) {
        on_line(line, buffer_.size() - start, line_number_, base_ + start);
      }
    }
    ++line_number_;
    start = scan = stop + 1;
  }
  if (skipping_) {  // the whole tail belongs to the over-long line
    base_ += end;
    filled_ = 0;
  } else {
    std::memmove(buffer_.data(), buffer_.data() + start, end - start);
    base_ += start;
    filled_ = end - start;
  }
}

absl::Status LineReader::Read(ByteSource& source, OnLine on_line, OnTooLong on_too_long,
                              uint64_t* bytes_read, bool at_end) {
  if (buffer_.size() < usable_ + kPad) buffer_.resize(usable_ + kPad);
  while (true) {
    if (filled_ == usable_) {  // one line fills the whole buffer
      if (usable_ < options_.max_line_bytes) {
        usable_ = std::min(options_.max_line_bytes, usable_ * 2);
        buffer_.resize(usable_ + kPad);
      } else {
        skipping_ = true;
        skip_number_ = line_number_;
        skip_offset_ = base_;
        base_ += filled_;
        filled_ = 0;
      }
    }
    ssize_t n = source.Read(buffer_.data() + filled_, usable_ - filled_);
    if (n < 0) return absl::DataLossError(source.error());
    *bytes_read += static_cast<uint64_t>(n);
    if (n == 0) break;
    size_t scan_from = filled_;
    Split(scan_from, filled_ + static_cast<size_t>(n), on_line, on_too_long);
  }
  if (at_end) {
    if (skipping_) {
      on_too_long(skip_number_, skip_offset_);
    } else if (filled_ > 0) {
      buffer_[filled_] = '\n';  // the last line has no newline; there is padding room
      Split(filled_, filled_ + 1, on_line, on_too_long);
    }
    Reset();
  }
  return absl::OkStatus();
}

}  // namespace sbscan
