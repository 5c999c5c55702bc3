#include "engine/src/byte_source.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sbscan {

ssize_t FdSource::Read(char* buf, size_t n) {
  while (true) {
    ssize_t r = ::read(fd_, buf, n);
    if (r >= 0) return r;
    if (errno != EINTR) {
      errno_ = errno;
      return -1;
    }
  }
}

std::string FdSource::error() const { return std::strerror(errno_); }

GzipSource::GzipSource(int fd) {
  int copy = ::dup(fd);  // gzclose closes its descriptor; the caller keeps its own
  gz_ = copy >= 0 ? gzdopen(copy, "rb") : nullptr;
  if (gz_ == nullptr) {
    if (copy >= 0) ::close(copy);
    error_ = "cannot open the gzip stream";
  } else {
    gzbuffer(static_cast<gzFile>(gz_), 1 << 20);
  }
}

GzipSource::~GzipSource() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

ssize_t GzipSource::Read(char* buf, size_t n) {
  if (gz_ == nullptr) return -1;
  n = std::min<size_t>(n, 1u << 30);
  int r = gzread(static_cast<gzFile>(gz_), buf, static_cast<unsigned>(n));
  if (r < 0) {
    int code = 0;
    const char* message = gzerror(static_cast<gzFile>(gz_), &code);
    error_ = std::string("gzip: ") + (message != nullptr ? message : "error");
    return -1;
  }
  return r;
}

ssize_t PrefixedSource::Read(char* buf, size_t n) {
  if (used_ < prefix_.size()) {
    size_t k = std::min(n, prefix_.size() - used_);
    std::memcpy(buf, prefix_.data() + used_, k);
    used_ += k;
    return static_cast<ssize_t>(k);
  }
  return inner_.Read(buf, n);
}

ssize_t ReadFully(ByteSource& source, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = source.Read(buf + got, n - got);
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace sbscan
