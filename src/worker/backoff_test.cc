#include "worker/backoff.h"

#include <gtest/gtest.h>

namespace mlw::worker {
namespace {

TEST(BackoffTest, NominalDoublesUpToTheCap) {
  Backoff b({/*base_seconds=*/2, /*max_seconds=*/20});
  EXPECT_EQ(b.NominalSeconds(1), 2);
  EXPECT_EQ(b.NominalSeconds(2), 4);
  EXPECT_EQ(b.NominalSeconds(3), 8);
  EXPECT_EQ(b.NominalSeconds(4), 16);
  EXPECT_EQ(b.NominalSeconds(5), 20);
  EXPECT_EQ(b.NominalSeconds(1000), 20);
}

TEST(BackoffTest, JitterStaysBetweenHalfAndNominal) {
  Backoff b({4, 300}, /*seed=*/42);
  for (int n = 1; n <= 8; ++n) {
    int nominal = b.NominalSeconds(n);
    std::set<int> seen;
    for (int i = 0; i < 200; ++i) {
      int d = b.DelaySeconds(n);
      EXPECT_GE(d, nominal / 2) << "receive " << n;
      EXPECT_LE(d, nominal) << "receive " << n;
      seen.insert(d);
    }
    EXPECT_GT(seen.size(), 1u) << "no jitter at receive " << n;
  }
}

TEST(BackoffTest, NeverBelowOneSecondAndNeverAboveVisibilityMaximum) {
  Backoff small({1, 1}, 7);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(small.DelaySeconds(1), 1);
  Backoff huge({3600, 1'000'000}, 7);
  EXPECT_EQ(huge.NominalSeconds(30), 43200);
}

}  // namespace
}  // namespace mlw::worker
