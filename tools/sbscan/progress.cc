#include "tools/sbscan/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace sbscan::cli {

bool Progress::Wanted() { return isatty(STDERR_FILENO) && std::getenv("CI") == nullptr; }

Progress::Progress(const std::atomic<uint64_t>* bytes, const std::atomic<uint64_t>* alerts,
                   uint64_t total_bytes)
    : bytes_(bytes), alerts_(alerts), total_(total_bytes) {
  if (Wanted()) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

void Progress::Run() {
  auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double done = static_cast<double>(bytes_->load()) / 1e6;
    if (total_ > 0) {
      std::fprintf(stderr, "\r\033[Ksbscan: %.1f/%.1f MB (%.0f%%), %.0f MB/s, %llu alerts", done,
                   total_ / 1e6, 100.0 * done * 1e6 / total_, done / seconds,
                   static_cast<unsigned long long>(alerts_->load()));
    } else {
      std::fprintf(stderr, "\r\033[Ksbscan: %.1f MB, %.0f MB/s, %llu alerts", done,
                   done / seconds, static_cast<unsigned long long>(alerts_->load()));
    }
    std::fflush(stderr);
  }
}

}  // namespace sbscan::cli
