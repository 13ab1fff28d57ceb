// Time is injected so that visibility timeouts, retention, leases and period buckets can be tested
// without sleeping. Thread-safe: all implementations may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace mlw {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time as microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;
  int64_t NowMillis() const { return NowMicros() / 1000; }
  int64_t NowSeconds() const { return NowMicros() / 1000000; }
};

// The real system clock. Default() lives for the whole process.
class SystemClock final : public Clock {
 public:
  static const Clock& Default();
  int64_t NowMicros() const override;
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void AdvanceMicros(int64_t d) { now_.fetch_add(d); }
  void AdvanceSeconds(int64_t s) { AdvanceMicros(s * 1'000'000); }
  void SetMicros(int64_t t) { now_.store(t); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace mlw
