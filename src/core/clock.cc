#include "core/clock.h"

#include <chrono>

namespace mlw {

const Clock& SystemClock::Default() {
  static const SystemClock clock;
  return clock;
}

int64_t SystemClock::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace mlw
