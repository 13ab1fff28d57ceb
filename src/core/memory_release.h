// Hands memory the allocator keeps but no longer uses back to the operating system.
//
// Why: glibc keeps freed memory in per-thread arenas and returns it only from the top of an arena.
// In `mlworker run` a processing round materializes the rows it recomputes (megabytes of small
// allocations) on a thread whose arena also holds long-lived SQLite page-cache pages; after the
// round the freed rows are holes below live pages, so resident memory ratchets up to every
// thread's largest transient peak and stays there (measured: three arenas of 15-19 MB resident
// with 16 MB of live heap in total). malloc_trim(0) releases the whole free pages anywhere in every
// arena.
//
// Thread-safety: thread-safe. Costs a walk over the arenas' free lists (locking each arena
// briefly), so call it periodically (about once a second), not per request.
#pragma once

#include <chrono>
#include <mutex>

namespace mlw {

// Returns free pages of every malloc arena to the OS now (no-op without glibc).
void ReleaseFreeMemory();

// Calls ReleaseFreeMemory() at most once per `interval`, however often Maybe() is called.
class PeriodicMemoryRelease {
 public:
  explicit PeriodicMemoryRelease(std::chrono::milliseconds interval) : interval_(interval) {}
  // Releases when `interval` has passed since the last release; returns whether it did.
  bool Maybe();

 private:
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_;  // guarded by mu_
};

}  // namespace mlw
