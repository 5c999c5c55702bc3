#include "tools/sbscan/heap_trimmer.h"

#include <pthread.h>
#include <signal.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sbscan::cli {

HeapTrimmer::HeapTrimmer(std::chrono::milliseconds interval) {
  // The thread is started with every signal blocked (it inherits the mask), so SIGINT, SIGTERM
  // and SIGHUP always reach the thread that reads the input and interrupt its blocking read.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  thread_ = std::thread([this, interval] { Loop(interval); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

HeapTrimmer::~HeapTrimmer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int HeapTrimmer::trims() const {
  std::lock_guard<std::mutex> lock(mu_);
  return trims_;
}

void HeapTrimmer::Loop(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, interval, [this] { return stop_; })) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    ++trims_;
  }
}

}  // namespace sbscan::cli
