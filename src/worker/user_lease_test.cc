#include "worker/user_lease.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "store/test_util.h"

namespace mlw::worker {
namespace {

class UserLeaseTest : public ::testing::Test {
 protected:
  store::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_ = store::testing::OpenMigrated(dir_);
  ManualClock clock_;
  DatabaseUserLeases leases_{db_.get(), &clock_};
};

TEST_F(UserLeaseTest, OneHolderPerUserUntilReleased) {
  auto a = leases_.TryAcquire({{1, "a"}, {2, "a2"}}, 10);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, (std::vector<bool>{true, true}));
  auto b = leases_.TryAcquire({{1, "b"}, {3, "b3"}}, 10);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, (std::vector<bool>{false, true}));
  ASSERT_TRUE(leases_.Release({{1, "b"}}).ok());  // not b's lease: no effect
  EXPECT_EQ(*leases_.TryAcquire({{1, "c"}}, 10), std::vector<bool>{false});
  ASSERT_TRUE(leases_.Release({{1, "a"}}).ok());
  EXPECT_EQ(*leases_.TryAcquire({{1, "c"}}, 10), std::vector<bool>{true});
}

TEST_F(UserLeaseTest, SameUserTwiceInOneBatchGoesToTheFirst) {
  EXPECT_EQ(*leases_.TryAcquire({{5, "x"}, {5, "y"}}, 10), (std::vector<bool>{true, false}));
}

TEST_F(UserLeaseTest, ExpiredLeaseCanBeTakenAndTheOldOwnerNoticesOnRenew) {
  ASSERT_EQ(*leases_.TryAcquire({{7, "dead"}}, 5), std::vector<bool>{true});
  clock_.AdvanceSeconds(4);
  EXPECT_EQ(*leases_.TryAcquire({{7, "new"}}, 5), std::vector<bool>{false});
  EXPECT_EQ(*leases_.Renew({{7, "dead"}}, 5), std::vector<bool>{true});  // extended to t+9
  clock_.AdvanceSeconds(4);
  EXPECT_EQ(*leases_.TryAcquire({{7, "new"}}, 5), std::vector<bool>{false});
  clock_.AdvanceSeconds(2);
  EXPECT_EQ(*leases_.TryAcquire({{7, "new"}}, 5), std::vector<bool>{true});
  EXPECT_EQ(*leases_.Renew({{7, "dead"}}, 5), std::vector<bool>{false});
}

TEST_F(UserLeaseTest, LargeBatchesAreSplitAndKeepTheirOrder) {
  std::vector<LeaseRequest> first, second;
  for (int64_t u = 1; u <= 250; ++u) {
    first.push_back({u, "a" + std::to_string(u)});
    second.push_back({u, "b" + std::to_string(u)});
  }
  ASSERT_EQ(*leases_.TryAcquire({{100, "early"}}, 10), std::vector<bool>{true});
  auto got = leases_.TryAcquire(first, 10);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ((*got)[i], first[i].user_id != 100) << i;
  auto renewed = leases_.Renew(first, 10);
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(std::count(renewed->begin(), renewed->end(), true), 249);
  ASSERT_TRUE(leases_.Release(first).ok());
  auto again = leases_.TryAcquire(second, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::count(again->begin(), again->end(), true), 249);  // 100 is still "early"'s
}

// Many threads race for one user through separate connections: exactly one wins each round.
TEST_F(UserLeaseTest, ConcurrentAcquireHasOneWinner) {
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        auto got =
            leases_.TryAcquire({{42, "r" + std::to_string(round) + "t" + std::to_string(t)}}, 30);
        if (got.ok() && (*got)[0]) winners.fetch_add(1);
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
    clock_.AdvanceSeconds(31);
  }
}

}  // namespace
}  // namespace mlw::worker
