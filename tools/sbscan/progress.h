// sbscan CLI: a progress line on a terminal for long scans.
#ifndef SBSCAN_TOOLS_SBSCAN_PROGRESS_H_
#define SBSCAN_TOOLS_SBSCAN_PROGRESS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace sbscan::cli {

// Redraws "sbscan: 1.2/10.0 GB (12%), 650 MB/s, 42 alerts" on stderr twice a second while a
// scan runs, and erases it at the end. Only when stderr is a terminal and CI is not set (never
// when output is piped or in CI). The counters are written by the scan, read here.
class Progress {
 public:
  Progress(const std::atomic<uint64_t>* bytes, const std::atomic<uint64_t>* alerts,
           uint64_t total_bytes);
  ~Progress();  // stops and erases the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  static bool Wanted();

 private:
  void Run();

  const std::atomic<uint64_t>* bytes_;
  const std::atomic<uint64_t>* alerts_;
  uint64_t total_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sbscan::cli

#endif  // SBSCAN_TOOLS_SBSCAN_PROGRESS_H_
