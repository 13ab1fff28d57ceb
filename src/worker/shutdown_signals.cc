#include "worker/shutdown_signals.h"

#include <signal.h>
#include <time.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "core/log.h"

namespace mlw::worker {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

const char* SignalName(int signo) { return signo == SIGTERM ? "SIGTERM" : "SIGINT"; }

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Result<WorkerSummary> RunWithShutdownSignals(WorkerRuntime& runtime) {
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    const sigset_t set = ShutdownSet();
    int received = 0;
    while (!done.load()) {
      timespec timeout{0, 200 * 1000 * 1000};  // re-checks `done` five times a second
      int signo = sigtimedwait(&set, nullptr, &timeout);
      if (signo < 0) continue;
      if (++received == 1) {
        log::Info("worker_signal", {{"signal", SignalName(signo)}, {"action", "graceful_stop"}});
        runtime.Stop();
      } else {
        log::Warn("worker_forced_exit", {{"signal", SignalName(signo)},
                                         {"note",
                                          "unfinished messages return after their "
                                          "visibility timeout"}});
        std::_Exit(128 + signo);
      }
    }
  });
  Result<WorkerSummary> summary = runtime.Run();
  done.store(true);
  watcher.join();
  return summary;
}

}  // namespace mlw::worker
