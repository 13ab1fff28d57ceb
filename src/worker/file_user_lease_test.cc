#include "worker/file_user_lease.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "store/sqlite_database.h"
#include "store/test_util.h"
#include "worker/user_lease_factory.h"

namespace mlw::worker {
namespace {

// Two FileUserLeases on one file have separate open file descriptions, so the kernel treats them
// like two worker processes.
class FileUserLeaseTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileUserLeases> Open() {
    auto opened = FileUserLeases::Open(dir_.path() + "/db.leases");
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return std::move(opened).value();
  }
  store::testing::TempDir dir_;
};

TEST_F(FileUserLeaseTest, OneHolderPerUserAcrossDescriptionsUntilReleased) {
  auto a = Open(), b = Open();
  EXPECT_EQ(*a->TryAcquire({{1, "a1"}, {2, "a2"}}, 10), (std::vector<bool>{true, true}));
  EXPECT_EQ(*b->TryAcquire({{1, "b1"}, {3, "b3"}}, 10), (std::vector<bool>{false, true}));
  EXPECT_EQ(*a->TryAcquire({{3, "a3"}}, 10), std::vector<bool>{false});
  ASSERT_TRUE(b->Release({{1, "b1"}}).ok());  // not b's lease: no effect
  EXPECT_EQ(*b->TryAcquire({{1, "b1"}}, 10), std::vector<bool>{false});
  ASSERT_TRUE(a->Release({{1, "a1"}}).ok());
  EXPECT_EQ(*b->TryAcquire({{1, "b1"}}, 10), std::vector<bool>{true});
}

// Release drops a batch with few system calls (runs of users), which must not touch a lease still
// held between them, nor another description's.
TEST_F(FileUserLeaseTest, ReleasingABatchKeepsTheLeasesBetweenItsUsers) {
  auto a = Open(), b = Open(), c = Open();
  ASSERT_EQ(*a->TryAcquire({{1, "a"}, {2, "a2"}, {3, "a"}, {4, "a4"}, {5, "a"}}, 10),
            (std::vector<bool>{true, true, true, true, true}));
  ASSERT_EQ(*b->TryAcquire({{500, "b"}}, 10), std::vector<bool>{true});
  ASSERT_EQ(*a->TryAcquire({{10, "a"}, {1000, "a"}}, 10), (std::vector<bool>{true, true}));
  ASSERT_TRUE(a->Release({{5, "a"}, {1, "a"}, {3, "a"}, {1000, "a"}, {10, "a"}, {3, "a"}}).ok());
  EXPECT_EQ(*c->TryAcquire({{1, "c"}, {2, "c"}, {3, "c"}, {4, "c"}, {5, "c"}}, 10),
            (std::vector<bool>{true, false, true, false, true}));
  EXPECT_EQ(*c->TryAcquire({{10, "c"}, {500, "c"}, {1000, "c"}}, 10),
            (std::vector<bool>{true, false, true}));
  EXPECT_EQ(*a->Renew({{2, "a2"}, {4, "a4"}, {1, "a"}}, 10),
            (std::vector<bool>{true, true, false}));
  ASSERT_TRUE(a->Release({{2, "a2"}, {4, "a4"}}).ok());
  EXPECT_EQ(*b->TryAcquire({{2, "b"}, {4, "b"}}, 10), (std::vector<bool>{true, true}));
}

// A lone object keeps its leases in memory ("solo"); a newcomer is refused until the solo object
// sees it, locks its users' bytes and shares the file, or releases its last lease.
TEST_F(FileUserLeaseTest, ALoneHolderSharesOnceAnotherAppears) {
  auto a = Open();
  ASSERT_EQ(*a->TryAcquire({{1, "a1"}, {2, "a2"}}, 10), (std::vector<bool>{true, true}));
  auto b = Open();
  EXPECT_EQ(*b->TryAcquire({{1, "b"}, {3, "b"}}, 10), (std::vector<bool>{false, false}));
  // a's next call sees b: a's leases move into the kernel and b gets the users a does not hold.
  EXPECT_EQ(*a->TryAcquire({{4, "a4"}}, 10), std::vector<bool>{true});
  EXPECT_EQ(*b->TryAcquire({{1, "b"}, {2, "b"}, {3, "b"}, {4, "b"}}, 10),
            (std::vector<bool>{false, false, true, false}));
  ASSERT_TRUE(a->Release({{1, "a1"}, {4, "a4"}}).ok());
  EXPECT_EQ(*b->TryAcquire({{1, "b"}, {2, "b"}, {4, "b"}}, 10),
            (std::vector<bool>{true, false, true}));
  EXPECT_EQ(*a->Renew({{2, "a2"}}, 10), std::vector<bool>{true});
}

// A busy worker may take no lease for minutes while its long jobs run; their heartbeats (Renew)
// and the end of one of them (Release) let a newcomer in too.
TEST_F(FileUserLeaseTest, ALoneHoldersHeartbeatOrReleaseLetsANewcomerIn) {
  auto a = Open();
  ASSERT_EQ(*a->TryAcquire({{1, "a1"}, {2, "a2"}, {3, "a3"}}, 10),
            (std::vector<bool>{true, true, true}));
  auto b = Open();
  EXPECT_EQ(*b->TryAcquire({{4, "b"}}, 10), std::vector<bool>{false});
  EXPECT_EQ(*a->Renew({{1, "a1"}}, 10), std::vector<bool>{true});
  EXPECT_EQ(*b->TryAcquire({{1, "b"}, {4, "b"}}, 10), (std::vector<bool>{false, true}));

  // The same at a release that leaves the lone holder some of its leases.
  b.reset();
  a.reset();
  auto d = Open();
  ASSERT_EQ(*d->TryAcquire({{5, "d5"}, {6, "d6"}}, 10), (std::vector<bool>{true, true}));
  auto e = Open();
  EXPECT_EQ(*e->TryAcquire({{7, "e"}}, 10), std::vector<bool>{false});
  ASSERT_TRUE(d->Release({{5, "d5"}}).ok());  // d still holds user 6, and now shares
  EXPECT_EQ(*e->TryAcquire({{5, "e"}, {6, "e"}, {7, "e"}}, 10),
            (std::vector<bool>{true, false, true}));
  EXPECT_EQ(*d->Renew({{6, "d6"}, {5, "d5"}}, 10), (std::vector<bool>{true, false}));
}

TEST_F(FileUserLeaseTest, ACallThatTakesNothingLeavesNoGateBehind) {
  auto a = Open();
  ASSERT_EQ(*a->TryAcquire({}, 10), std::vector<bool>{});
  auto b = Open();
  EXPECT_EQ(*b->TryAcquire({{1, "b"}}, 10), std::vector<bool>{true});
}

TEST_F(FileUserLeaseTest, AnIdleLoneHolderLetsANewcomerIn) {
  auto a = Open();
  ASSERT_EQ(*a->TryAcquire({{1, "a"}}, 10), std::vector<bool>{true});
  auto b = Open();
  EXPECT_EQ(*b->TryAcquire({{2, "b"}}, 10), std::vector<bool>{false});
  ASSERT_TRUE(a->Release({{1, "a"}}).ok());  // a's last lease: a leaves the file to others
  EXPECT_EQ(*b->TryAcquire({{1, "b"}, {2, "b"}}, 10), (std::vector<bool>{true, true}));
  EXPECT_EQ(*a->TryAcquire({{1, "a"}, {3, "a"}}, 10), (std::vector<bool>{false, true}));
  ASSERT_TRUE(b->Release({{1, "b"}, {2, "b"}}).ok());
  EXPECT_EQ(*a->TryAcquire({{1, "a"}, {2, "a"}}, 10), (std::vector<bool>{true, true}));
}

TEST_F(FileUserLeaseTest, OwnersOfOneProcessExcludeEachOther) {
  auto a = Open();
  EXPECT_EQ(*a->TryAcquire({{5, "x"}, {5, "y"}}, 10), (std::vector<bool>{true, false}));
  EXPECT_EQ(*a->TryAcquire({{5, "x"}}, 10), std::vector<bool>{true});  // already x's
  ASSERT_TRUE(a->Release({{5, "y"}}).ok());
  EXPECT_EQ(*a->TryAcquire({{5, "z"}}, 10), std::vector<bool>{false});
  ASSERT_TRUE(a->Release({{5, "x"}}).ok());
  EXPECT_EQ(*a->TryAcquire({{5, "z"}}, 10), std::vector<bool>{true});
}

TEST_F(FileUserLeaseTest, RenewReportsWhetherTheOwnerStillHoldsIt) {
  auto a = Open();
  ASSERT_EQ(*a->TryAcquire({{7, "mine"}}, 10), std::vector<bool>{true});
  EXPECT_EQ(*a->Renew({{7, "mine"}, {7, "other"}, {8, "mine"}}, 10),
            (std::vector<bool>{true, false, false}));
  ASSERT_TRUE(a->Release({{7, "mine"}}).ok());
  EXPECT_EQ(*a->Renew({{7, "mine"}}, 10), std::vector<bool>{false});
}

TEST_F(FileUserLeaseTest, ClosingDropsEveryLease) {
  auto a = Open(), b = Open();
  ASSERT_EQ(*a->TryAcquire({{11, "a"}, {12, "a"}}, 10), (std::vector<bool>{true, true}));
  a.reset();
  EXPECT_EQ(*b->TryAcquire({{11, "b"}, {12, "b"}}, 10), (std::vector<bool>{true, true}));
}

TEST_F(FileUserLeaseTest, AKilledProcessFreesItsUsersAtOnce) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto leases = FileUserLeases::Open(dir_.path() + "/db.leases");
    bool ok = false;
    if (leases.ok()) {
      auto got = (*leases)->TryAcquire({{21, "child"}}, 10);
      ok = got.ok() && *got == std::vector<bool>{true};
    }
    char c = ok ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    pause();  // holds the lease until killed
    _exit(0);
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  ASSERT_EQ(c, 'y');
  auto parent = Open();
  EXPECT_EQ(*parent->TryAcquire({{21, "parent"}}, 10), std::vector<bool>{false});
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_EQ(*parent->TryAcquire({{21, "parent"}}, 10), std::vector<bool>{true});
}

TEST_F(FileUserLeaseTest, NonPositiveUserIdsAreRefusedClearly) {
  auto a = Open();
  auto r = a->TryAcquire({{0, "x"}}, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("user id 0"), std::string::npos) << r.status().ToString();
}

TEST_F(FileUserLeaseTest, FactoryUsesALockFileNextToASqliteDatabase) {
  auto db = store::testing::OpenMigrated(dir_);
  auto* sqlite = dynamic_cast<store::SqliteDatabase*>(db.get());
  ASSERT_NE(sqlite, nullptr);
  ManualClock clock;
  auto leases = OpenUserLeases(db.get(), &clock);
  ASSERT_TRUE(leases.ok()) << leases.status().ToString();
  auto* file = dynamic_cast<FileUserLeases*>(leases->get());
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->path(), sqlite->path() + ".leases");
}

}  // namespace
}  // namespace mlw::worker
