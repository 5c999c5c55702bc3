// sbscan: splits a byte stream into lines, in large reads, with padding for simdjson.
#ifndef SBSCAN_ENGINE_SRC_LINE_READER_H_
#define SBSCAN_ENGINE_SRC_LINE_READER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "engine/src/byte_source.h"

namespace sbscan {

struct LineReaderOptions {
  size_t read_size = size_t{4} << 20;         // bytes per read(2)
  size_t max_line_bytes = size_t{256} << 20;  // longer lines are skipped and reported
};

// Reads a file descriptor and hands each line (without "\n" or "\r\n") to on_line with the
// number of readable bytes from the line's start (at least line.size() + 64), its 1-based number
// and byte offset. Blank lines are skipped. A line longer than max_line_bytes is skipped without
// being buffered whole and reported through on_too_long. Memory stays within read_size +
// max_line_bytes. Not thread-safe.
//
// Read() reads to the current end of the file. With `at_end` true (the default) the stream is
// over: a last line without '\n' is handed on and the reader is reset for the next stream. With
// `at_end` false (follow mode) an incomplete last line is kept, and the next Read() on the same
// stream continues where this one stopped; Reset() starts a new stream (a rotated or truncated
// file).
class LineReader {
 public:
  using OnLine = absl::FunctionRef<void(std::string_view line, size_t capacity, uint64_t number,
                                        uint64_t offset)>;
  using OnTooLong = absl::FunctionRef<void(uint64_t number, uint64_t offset)>;

  explicit LineReader(const LineReaderOptions& options = {});

  // Returns the read(2) error, if any, after handing on every line read before it. Adds the
  // bytes read to *bytes_read.
  absl::Status Read(ByteSource& source, OnLine on_line, OnTooLong on_too_long,
                    uint64_t* bytes_read, bool at_end = true);
  absl::Status Read(int fd, OnLine on_line, OnTooLong on_too_long, uint64_t* bytes_read,
                    bool at_end = true) {
    FdSource source(fd);
    return Read(source, on_line, on_too_long, bytes_read, at_end);
  }
  void Reset();

 private:
  // Hands on the complete lines in buffer_[0, end) and keeps the incomplete tail.
  void Split(size_t scan_from, size_t end, OnLine on_line, OnTooLong on_too_long);

  LineReaderOptions options_;
  std::vector<char> buffer_;
  size_t usable_ = 0;          // buffer_ holds usable_ bytes plus padding
  size_t filled_ = 0;          // bytes in buffer_[0, filled_)
  uint64_t base_ = 0;          // stream offset of buffer_[0]
  uint64_t line_number_ = 1;   // number of the line starting at buffer_[0]
  bool skipping_ = false;      // inside an over-long line: drop bytes up to its '\n'
  uint64_t skip_number_ = 0, skip_offset_ = 0;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_LINE_READER_H_
