#include "core/memory_release.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mlw {

void ReleaseFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

bool PeriodicMemoryRelease::Maybe() {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (last_.time_since_epoch().count() != 0 && now - last_ < interval_) return false;
    last_ = now;
  }
  ReleaseFreeMemory();
  return true;
}

}  // namespace mlw
