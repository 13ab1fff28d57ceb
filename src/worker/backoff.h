// Retry delay after a handler failure: exponential in the receive count, with jitter so that a
// burst of failures (a dependency down) does not come back as a burst. Applied by the runtime with
// ChangeMessageVisibility, so the delay is in whole seconds.
//
// Thread-safety: Backoff is immutable except for its random generator, which is guarded; safe to
// share between threads.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace mlw::worker {

struct BackoffOptions {
  // Delay before the second delivery, in seconds; doubles for each further receive. Default 2.
  int base_seconds = 2;
  // Upper bound of any delay, in seconds (<= 43200, the SQS visibility maximum). Default 300.
  int max_seconds = 300;
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options, uint64_t seed = std::random_device{}());

  // Seconds the message stays invisible after its `receive_count`-th delivery failed
  // (receive_count >= 1). "Equal jitter": the nominal delay d = min(max, base * 2^(n-1)) is
  // returned as d/2 + uniform[0, d/2], so it never drops below half the nominal value and the
  // sequence still grows. Never below 1 second when base >= 1.
  int DelaySeconds(int receive_count);

  // The nominal (un-jittered) delay, for documentation and tests.
  int NominalSeconds(int receive_count) const;

 private:
  const BackoffOptions options_;
  std::mutex mu_;
  std::mt19937_64 rng_;  // guarded by mu_
};

}  // namespace mlw::worker
