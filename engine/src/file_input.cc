#include "engine/src/file_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace sbscan {

absl::Status ScanJsonLinesFile(const std::string& path, LineReader& reader, Scanner& scanner) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot open"));
  }
  std::string_view name = path;
  uint64_t bytes = 0;
  absl::Status status = reader.Read(
      fd,
      [&](std::string_view line, size_t capacity, uint64_t number, uint64_t offset) {
        scanner.AddJsonRecord(line, capacity, SourceLocation{name, number, offset});
      },
      [&](uint64_t number, uint64_t offset) {
        scanner.AddMalformed(SourceLocation{name, number, offset}, "line longer than --max-line-bytes");
      },
      &bytes);
  scanner.CountBytes(bytes);
  if (fd != 0) ::close(fd);
  if (!status.ok()) return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  return absl::OkStatus();
}

}  // namespace sbscan
