// The write lock of one SQLite database inside this process, with two classes of writers.
//
// Why: SQLite has one writer at a time. In `mlworker run` the API's group commit (callers waiting
// on an HTTP answer) and the worker's processing transactions (nobody waiting) queue for it; with
// a plain mutex an upload could wait behind several processing transactions in a row, which is
// what set ingest's p99. Here an urgent writer goes before every normal one waiting, but a normal
// writer that is waiting gets the next turn after each urgent one, so neither class starves:
// an urgent writer waits for at most the holder and one normal transaction.
//
// Thread-safety: thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace mlw::store {

enum class WriterClass { kNormal, kUrgent };

class WriterGate {
 public:
  // Waits until the caller holds the gate, or until `timeout` passed (false, gate not held).
  bool Acquire(WriterClass cls, std::chrono::milliseconds timeout);
  // REQUIRES: the caller holds the gate, acquired as `cls`.
  void Release(WriterClass cls);
  // Writers of `cls` waiting right now, for tests and metrics.
  int Waiting(WriterClass cls);

 private:
  bool MayEnter(WriterClass cls) const;  // REQUIRES: mu_ held

  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;         // guarded by mu_
  int urgent_waiting_ = 0;    // guarded by mu_
  int normal_waiting_ = 0;    // guarded by mu_
  bool normal_turn_ = false;  // guarded by mu_: a normal writer goes next
};

// Holds a WriterGate for a scope.
class WriterGateLock {
 public:
  WriterGateLock(WriterGate& gate, WriterClass cls, std::chrono::milliseconds timeout)
      : gate_(gate), cls_(cls), held_(gate.Acquire(cls, timeout)) {}
  ~WriterGateLock() {
    if (held_) gate_.Release(cls_);
  }
  WriterGateLock(const WriterGateLock&) = delete;
  WriterGateLock& operator=(const WriterGateLock&) = delete;
  bool held() const { return held_; }

 private:
  WriterGate& gate_;
  const WriterClass cls_;
  const bool held_;
};

}  // namespace mlw::store
