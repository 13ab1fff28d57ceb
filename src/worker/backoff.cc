#include "worker/backoff.h"

#include <algorithm>

#include "queue/queue.h"

namespace mlw::worker {

Backoff::Backoff(BackoffOptions options, uint64_t seed) : options_(options), rng_(seed) {}

int Backoff::NominalSeconds(int receive_count) const {
  int64_t cap = std::clamp<int64_t>(options_.max_seconds, 0, queue::kMaxVisibilityTimeoutSeconds);
  int64_t d = std::max(options_.base_seconds, 0);
  for (int i = 1; i < receive_count && d < cap; ++i) d *= 2;
  return static_cast<int>(std::min(d, cap));
}

int Backoff::DelaySeconds(int receive_count) {
  int nominal = NominalSeconds(receive_count);
  int half = nominal / 2;
  int jitter;
  {
    std::lock_guard<std::mutex> lock(mu_);
    jitter = std::uniform_int_distribution<int>(0, nominal - half)(rng_);
  }
  int delay = half + jitter;
  if (options_.base_seconds >= 1) delay = std::max(delay, 1);
  return delay;
}

}  // namespace mlw::worker
