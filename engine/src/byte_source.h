// sbscan: where input bytes come from: a file descriptor, a gzip stream, bytes already peeked.
#ifndef SBSCAN_ENGINE_SRC_BYTE_SOURCE_H_
#define SBSCAN_ENGINE_SRC_BYTE_SOURCE_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace sbscan {

// A sequential stream of bytes. Not thread-safe.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into buf: the count, 0 at the end, or -1 on an error (error() says it).
  virtual ssize_t Read(char* buf, size_t n) = 0;
  virtual std::string error() const = 0;
};

// read(2) on a descriptor it does not own (EINTR retried).
class FdSource final : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  ssize_t Read(char* buf, size_t n) override;
  std::string error() const override;

 private:
  int fd_;
  int errno_ = 0;
};

// Decompresses a gzip stream (several concatenated members too) read from a descriptor it does
// not own.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(int fd);
  ~GzipSource() override;
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;
  ssize_t Read(char* buf, size_t n) override;
  std::string error() const override { return error_; }

 private:
  void* gz_ = nullptr;  // gzFile
  std::string error_;
};

// Gives back `prefix` (bytes already read to detect the format) before the rest of `inner`.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, ByteSource& inner)
      : prefix_(std::move(prefix)), inner_(inner) {}
  ssize_t Read(char* buf, size_t n) override;
  std::string error() const override { return inner_.error(); }

 private:
  std::string prefix_;
  size_t used_ = 0;
  ByteSource& inner_;
};

// Counts the bytes read from `inner` into an atomic (a progress display reads it).
class CountingSource final : public ByteSource {
 public:
  CountingSource(ByteSource& inner, std::atomic<uint64_t>* counter)
      : inner_(inner), counter_(counter) {}
  ssize_t Read(char* buf, size_t n) override {
    ssize_t r = inner_.Read(buf, n);
    if (r > 0 && counter_ != nullptr) *counter_ += static_cast<uint64_t>(r);
    return r;
  }
  std::string error() const override { return inner_.error(); }

 private:
  ByteSource& inner_;
  std::atomic<uint64_t>* counter_;
};

// Reads up to n bytes, retrying short reads; fewer only at the end or on an error (then -1).
ssize_t ReadFully(ByteSource& source, char* buf, size_t n);

}  // namespace sbscan

#endif  // SBSCAN_ENGINE_SRC_BYTE_SOURCE_H_
