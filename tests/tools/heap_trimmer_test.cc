// tools/sbscan/heap_trimmer.h: trims on its own thread, stops on destruction, takes no signal.
#include "tools/sbscan/heap_trimmer.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <unistd.h>

#include <atomic>
#include <memory>
#include <chrono>
#include <thread>

namespace sbscan::cli {
namespace {

TEST(HeapTrimmer, TrimsAtItsIntervalAndStopsWhenDestroyed) {
  auto trimmer = std::make_unique<HeapTrimmer>(std::chrono::milliseconds(1));
  // Liveness, not timing: wait (up to a generous bound) until it has trimmed a few times.
  for (int i = 0; i < 10000 && trimmer->trims() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(trimmer->trims(), 3);
  trimmer.reset();  // joins: returns instead of hanging
}

TEST(HeapTrimmer, DestroyedBeforeItsFirstTrimStopsAtOnce) {
  HeapTrimmer trimmer(std::chrono::hours(1));
  EXPECT_EQ(trimmer.trims(), 0);
}  // the destructor wakes the thread; a wait for the interval would time the test out

std::atomic<int> handled{0};
void CountSignal(int) { handled.fetch_add(1); }

TEST(HeapTrimmer, ItsThreadNeverTakesAProcessSignal) {
  struct sigaction action = {};
  action.sa_handler = CountSignal;
  sigaction(SIGUSR1, &action, nullptr);
  sigset_t usr1, previous;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  {
    HeapTrimmer trimmer(std::chrono::milliseconds(1));  // started with SIGUSR1 open here
    // Blocked here afterwards: the only thread that could run the handler is the trimmer's.
    pthread_sigmask(SIG_BLOCK, &usr1, &previous);
    kill(getpid(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(handled.load(), 0) << "the trimmer thread ran a signal handler";
  }
  timespec zero = {0, 0};
  EXPECT_EQ(sigtimedwait(&usr1, nullptr, &zero), SIGUSR1);  // still pending, for this thread
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace
}  // namespace sbscan::cli
