#include "core/memory_release.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace mlw {
namespace {

TEST(MemoryReleaseTest, ReleasesAtMostOncePerInterval) {
  PeriodicMemoryRelease release(std::chrono::hours(1));
  EXPECT_TRUE(release.Maybe());   // the first call releases
  EXPECT_FALSE(release.Maybe());  // within the interval: nothing
  PeriodicMemoryRelease always(std::chrono::milliseconds(0));
  EXPECT_TRUE(always.Maybe());
  EXPECT_TRUE(always.Maybe());
}

TEST(MemoryReleaseTest, LiveAllocationsSurviveARelease) {
  std::vector<std::unique_ptr<int[]>> blocks;
  for (int i = 0; i < 1000; ++i) {
    blocks.push_back(std::make_unique<int[]>(256));
    blocks.back()[0] = i;
  }
  for (int i = 0; i < 1000; i += 2) blocks[i].reset();  // holes between live blocks
  ReleaseFreeMemory();
  for (int i = 1; i < 1000; i += 2) EXPECT_EQ(blocks[i][0], i);
}

}  // namespace
}  // namespace mlw
