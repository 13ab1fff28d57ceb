#include "store/group_commit_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/database_factory.h"
#include "store/fault_injecting_database.h"
#include "store/test_util.h"

namespace mlw::store {
namespace {

using std::chrono::steady_clock;

// Polls `done` until it holds or 10 s pass; returns whether it held. A bound, not a timing claim.
template <typename Pred>
bool WaitFor(Pred done) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class GroupCommitDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenDatabase("sqlite://" + dir_.path() + "/g.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    base_ = std::move(db).value();
    ASSERT_TRUE(base_->Exec("CREATE TABLE t (x INTEGER NOT NULL)").ok());
    faulty_ = std::make_unique<FaultInjectingDatabase>(*base_);
    group_ = std::make_unique<GroupCommitDatabase>(*faulty_);
  }

  // Rows with value x, read through the base database (another connection than the writer's).
  int64_t Count(int64_t x) {
    auto rows = base_->Query("SELECT COUNT(*) FROM t WHERE x = $1", {x});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }

  static Status Insert(Connection& c, int64_t x) {
    return c.Exec("INSERT INTO t (x) VALUES ($1)", {x}).status();
  }

  // Runs `first` alone in a group that stays open until `others` more calls are queued, so that
  // those calls form the next group together. Returns the future of `first`.
  // Returns once `first` runs, so that the calls made next cannot join its group.
  std::future<Status> HoldGroupOpenUntilQueued(size_t others) {
    auto first = std::async(std::launch::async, [this, others] {
      return group_->InTransaction([this, others](Connection& c) -> Status {
        first_running_ = true;
        if (!WaitFor([&] { return group_->queued() >= others; })) {
          return Internal("the other calls never queued");
        }
        return Insert(c, 1);
      });
    });
    EXPECT_TRUE(WaitFor([this] { return first_running_.load(); }));
    return first;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> base_;
  std::unique_ptr<FaultInjectingDatabase> faulty_;
  std::unique_ptr<GroupCommitDatabase> group_;
  std::atomic<bool> first_running_{false};
};

TEST_F(GroupCommitDatabaseTest, ConcurrentTransactionsAreAllCommittedWhenTheyReturn) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::atomic<int> missing{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t x = 1000 * (t + 1) + i;
        if (!group_->InTransaction([x](Connection& c) { return Insert(c, x); }).ok()) ++failures;
        // Readiness: once the call returned OK, another connection sees the row.
        if (Count(x) != 1) ++missing;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(missing.load(), 0);
  auto total = base_->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(total.ok());
  EXPECT_EQ((*total)[0].Int(0), kThreads * kPerThread);
  EXPECT_EQ(group_->members(), kThreads * kPerThread);
  EXPECT_LE(group_->groups(), group_->members());
}

TEST_F(GroupCommitDatabaseTest, FailingMembersRollBackAloneAndTheirGroupCommits) {
  std::future<Status> first = HoldGroupOpenUntilQueued(3);
  auto ok = std::async(std::launch::async, [this] {
    return group_->InTransaction([](Connection& c) { return Insert(c, 2); });
  });
  auto fails = std::async(std::launch::async, [this] {
    return group_->InTransaction([](Connection& c) -> Status {
      MLW_RETURN_IF_ERROR(Insert(c, 3));
      return NotFound("user 7 does not exist", "NoSuchUser");
    });
  });
  auto throws = std::async(std::launch::async, [this] {
    return group_->InTransaction([](Connection& c) -> Status {
      MLW_RETURN_IF_ERROR(Insert(c, 4));
      throw std::runtime_error("boom");
    });
  });
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(ok.get().ok());
  Status failed = fails.get();
  EXPECT_EQ(failed.code(), StatusCode::kNotFound);
  EXPECT_EQ(failed.reason(), "NoSuchUser");
  EXPECT_THROW(throws.get(), std::runtime_error);
  EXPECT_EQ(Count(1), 1);
  EXPECT_EQ(Count(2), 1);
  EXPECT_EQ(Count(3), 0);  // no partial rows of a failed member
  EXPECT_EQ(Count(4), 0);
  // The three queued calls ran as one group after the first.
  EXPECT_EQ(group_->groups(), 2);
  EXPECT_EQ(group_->members(), 4);
}

TEST_F(GroupCommitDatabaseTest, ALostCommitFailsTheWholeGroupAndWritesNothing) {
  faulty_->FailCommit(2, CommitFault::kBeforeCommit);  // the second group's commit fails
  std::future<Status> first = HoldGroupOpenUntilQueued(2);
  auto a = std::async(std::launch::async, [this] {
    return group_->InTransaction([](Connection& c) { return Insert(c, 2); });
  });
  auto b = std::async(std::launch::async, [this] {
    return group_->InTransaction([](Connection& c) { return Insert(c, 3); });
  });
  EXPECT_TRUE(first.get().ok());
  EXPECT_EQ(a.get().code(), StatusCode::kUnavailable);
  EXPECT_EQ(b.get().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Count(1), 1);
  EXPECT_EQ(Count(2), 0);
  EXPECT_EQ(Count(3), 0);
  // The wrapper keeps working after a lost group.
  EXPECT_TRUE(group_->InTransaction([](Connection& c) { return Insert(c, 5); }).ok());
  EXPECT_EQ(Count(5), 1);
}

TEST_F(GroupCommitDatabaseTest, ACallbackCannotStartANestedGroupTransaction) {
  Status inner;
  Status outer = group_->InTransaction([&](Connection& c) -> Status {
    inner = group_->InTransaction([](Connection& c2) { return Insert(c2, 9); });
    return Insert(c, 8);
  });
  EXPECT_TRUE(outer.ok());
  EXPECT_EQ(inner.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count(8), 1);
  EXPECT_EQ(Count(9), 0);
}

}  // namespace
}  // namespace mlw::store
