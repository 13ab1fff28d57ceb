#include "store/fault_injecting_database.h"

#include <gtest/gtest.h>

#include "store/database_factory.h"
#include "store/test_util.h"

namespace mlw::store {
namespace {

int64_t CountRows(Database& db) {
  auto rows = db.Query("SELECT COUNT(*) FROM t");
  EXPECT_TRUE(rows.ok());
  return (*rows)[0].Int(0);
}

Status Insert(Database& db) {
  return db.InTransaction(
      [](Connection& c) { return c.Exec("INSERT INTO t VALUES (1)").status(); });
}

class FaultInjectingDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenDatabase("sqlite://" + dir_.path() + "/f.db");
    ASSERT_TRUE(db.ok());
    base_ = std::move(db).value();
    ASSERT_TRUE(base_->Exec("CREATE TABLE t (x INTEGER)").ok());
    faulty_ = std::make_unique<FaultInjectingDatabase>(*base_);
  }
  testing::TempDir dir_;
  std::unique_ptr<Database> base_;
  std::unique_ptr<FaultInjectingDatabase> faulty_;
};

TEST_F(FaultInjectingDatabaseTest, BeforeCommitFaultRollsBackTheNthTransactionOnly) {
  faulty_->FailCommit(2, CommitFault::kBeforeCommit);
  EXPECT_TRUE(Insert(*faulty_).ok());
  Status st = Insert(*faulty_);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.reason(), "InjectedFault");
  EXPECT_EQ(CountRows(*base_), 1);
  EXPECT_TRUE(Insert(*faulty_).ok());
  EXPECT_EQ(CountRows(*base_), 2);
  EXPECT_EQ(faulty_->injected(), 1);
}

TEST_F(FaultInjectingDatabaseTest, AfterCommitFaultKeepsDataButReportsFailure) {
  faulty_->FailCommit(1, CommitFault::kAfterCommit);
  Status st = Insert(*faulty_);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(CountRows(*base_), 1);
}

TEST_F(FaultInjectingDatabaseTest, CallbackErrorWinsOverInjectedFault) {
  faulty_->FailCommit(1);
  Status st = faulty_->InTransaction([](Connection&) { return InvalidArgument("own error"); });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  faulty_->FailCommit(0);
  EXPECT_TRUE(Insert(*faulty_).ok());
}

}  // namespace
}  // namespace mlw::store
