// sbscan: splits a byte stream into lines, in large reads, with padding for simdjson.
#ifndef SBSCAN_ENGINE_SRC_LINE_READER_H_
#define SBSCAN_ENGINE_SRC_LINE_READER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace sbscan {

struct LineReaderOptions {
  size_t read_size = size_t{4} << 20;         // bytes per read(2)
  size_t max_line_bytes = size_t{256} << 20;  // longer lines are skipped and reported
};

// Reads a file descriptor to its end and hands each line (without "\n" or "\r\n") to on_line
// with the number of readable bytes from the line's start (at least line.size() + 64), its
// 1-based number and byte offset. Blank lines are skipped. A line longer than max_line_bytes is
// skipped without being buffered whole and reported through on_too_long. Memory stays within
// read_size + max_line_bytes. Not thread-safe; reusable across files.
class LineReader {
 public:
  using OnLine = absl::FunctionRef<void(std::string_view line, size_t capacity, uint64_t number,
                                        uint64_t offset)>;
  using OnTooLong = absl::FunctionRef<void(uint64_t number, uint64_t offset)>;

  explicit LineReader(const LineReaderOptions& options = {});

  // Returns the read(2) error, if any, after handing on every line read before it.
  absl::Status Read(int fd, OnLine on_line, OnTooLong on_too_long, uint64_t* bytes_read);

 private:
  LineReaderOptions options_;
  std::vector<char> buffer_;
};

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_LINE_READER_H_
