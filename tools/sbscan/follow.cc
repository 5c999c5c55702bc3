#include "tools/sbscan/follow.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace sbscan::cli {
namespace {

using Clock = std::chrono::steady_clock;

// One opened generation of the followed file.
struct OpenFile {
  int fd = -1;
  ino_t inode = 0;
  dev_t device = 0;
};

}  // namespace

absl::Status FollowJsonLinesFile(const std::string& path, const FollowOptions& options,
                                 LineReader& reader, Scanner& scanner,
                                 const std::atomic<bool>& stop,
                                 const std::function<void()>& after_read) {
  OpenFile file;
  uint64_t bytes = 0;
  auto last_data = Clock::now();
  auto read = [&](bool at_end) -> absl::Status {
    uint64_t before = bytes;
    absl::Status s = reader.Read(
        file.fd,
        [&](std::string_view line, size_t capacity, uint64_t number, uint64_t offset) {
          scanner.AddJsonRecord(line, capacity, SourceLocation{path, number, offset});
        },
        [&](uint64_t number, uint64_t offset) {
          scanner.AddMalformed(SourceLocation{path, number, offset},
                               "line longer than --max-line-bytes");
        },
        &bytes, at_end);
    if (bytes != before) {
      scanner.CountBytes(bytes - before);
      last_data = Clock::now();
    }
    after_read();
    return s;
  };
  auto close_file = [&]() -> absl::Status {
    absl::Status s = read(/*at_end=*/true);  // the rest of this generation, last line included
    ::close(file.fd);
    file.fd = -1;
    return s;
  };
  bool flushed_idle = false;
  while (!stop.load()) {
    if (file.fd < 0) {
      file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat st;
      if (file.fd >= 0 && ::fstat(file.fd, &st) == 0) {
        file.inode = st.st_ino;
        file.device = st.st_dev;
        reader.Reset();
      } else if (file.fd >= 0) {
        ::close(file.fd);
        file.fd = -1;
      }
    }
    if (file.fd >= 0) {
      if (absl::Status s = read(/*at_end=*/false); !s.ok()) return s;
      struct stat now;
      bool gone = ::stat(path.c_str(), &now) != 0;
      if (gone || now.st_ino != file.inode || now.st_dev != file.device) {
        if (absl::Status s = close_file(); !s.ok()) return s;  // rotated: finish the old one
        continue;
      }
      off_t position = ::lseek(file.fd, 0, SEEK_CUR);
      if (now.st_size < position) {  // truncated: start again
        ::lseek(file.fd, 0, SEEK_SET);
        reader.Reset();
        continue;
      }
    }
    auto idle = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - last_data);
    if (idle.count() >= options.idle_flush_seconds) {
      if (!flushed_idle && scanner.open_blocks() > 0) {
        scanner.FlushIdle();
        after_read();
      }
      flushed_idle = true;
    } else {
      flushed_idle = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_milliseconds));
  }
  absl::Status status = file.fd >= 0 ? close_file() : absl::OkStatus();
  scanner.Finish();
  after_read();
  return status;
}

}  // namespace sbscan::cli
