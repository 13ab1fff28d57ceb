#include "pipelines/bulk_insert.h"

#include <gtest/gtest.h>

#include "store/test_util.h"

namespace mlw::pipelines {
namespace {

class BulkInsertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::testing::OpenMigrated(dir_);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (k BIGINT PRIMARY KEY, v TEXT NOT NULL)").ok());
  }

  // Inserts keys [from, from + n) with values "v<key>" through `insert`, in one transaction.
  Status InsertRange(const BulkInsert& insert, int64_t from, size_t n) {
    return db_->InTransaction([&](store::Connection& tx) {
      return insert.Run(tx, n, [&](size_t i, std::vector<store::Value>& out) {
        out.emplace_back(from + static_cast<int64_t>(i));
        out.emplace_back("v" + std::to_string(from + static_cast<int64_t>(i)));
      });
    });
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(BulkInsertTest, EveryRowOfAnySizeArrivesOnceWithItsValues) {
  BulkInsert insert("t", {"k", "v"});
  int64_t next = 0, total = 0;
  // Sizes around the power-of-two chunks and past the largest one (128 rows).
  for (size_t n : {0u, 1u, 2u, 3u, 7u, 23u, 64u, 127u, 128u, 129u, 300u}) {
    ASSERT_TRUE(InsertRange(insert, next, n).ok()) << n;
    next += static_cast<int64_t>(n);
    total += static_cast<int64_t>(n);
  }
  auto rows = db_->Query("SELECT COUNT(*), MIN(k), MAX(k), SUM(v = 'v' || k) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0].Int(0), total);
  EXPECT_EQ((*rows)[0].Int(1), 0);
  EXPECT_EQ((*rows)[0].Int(2), total - 1);
  EXPECT_EQ((*rows)[0].Int(3), total);
}

TEST_F(BulkInsertTest, SuffixUpsertsAndReturnsEveryRow) {
  BulkInsert upsert("t", {"k", "v"}, "ON CONFLICT (k) DO UPDATE SET v = excluded.v RETURNING k");
  ASSERT_TRUE(InsertRange(upsert, 0, 10).ok());
  std::vector<int64_t> returned;
  Status s = db_->InTransaction([&](store::Connection& tx) {
    return upsert.Run(
        tx, 37,
        [](size_t i, std::vector<store::Value>& out) {
          out.emplace_back(static_cast<int64_t>(i));
          out.emplace_back(std::string("new"));
        },
        [&](const store::Row& r) { returned.push_back(r.Int(0)); });
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(returned.size(), 37u);
  auto rows = db_->Query("SELECT COUNT(*), SUM(v = 'new') FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 37);
  EXPECT_EQ((*rows)[0].Int(1), 37);
}

TEST_F(BulkInsertTest, WrongNumberOfValuesIsAnErrorAndWritesNothing) {
  BulkInsert insert("t", {"k", "v"});
  Status s = db_->InTransaction([&](store::Connection& tx) {
    return insert.Run(tx, 5, [](size_t i, std::vector<store::Value>& out) {
      out.emplace_back(static_cast<int64_t>(i));
      if (i != 3) out.emplace_back(std::string("x"));
    });
  });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("wrong number of values"), std::string::npos) << s.ToString();
  EXPECT_EQ((*db_->Query("SELECT COUNT(*) FROM t"))[0].Int(0), 0);
}

}  // namespace
}  // namespace mlw::pipelines
