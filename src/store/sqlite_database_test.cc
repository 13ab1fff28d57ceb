#include "store/sqlite_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "store/database_factory.h"
#include "store/sqlite_connection.h"
#include "store/test_util.h"

namespace mlw::store {
namespace {

using testing::TempDir;

std::unique_ptr<Database> Open(const TempDir& dir, DatabaseOptions options = {}) {
  auto db = OpenDatabase("sqlite://" + dir.path() + "/db.sqlite", options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

// Runs `while_held` while another thread holds a write transaction on `db` that has inserted one
// row into t; that transaction commits afterwards.
template <class Fn>
void WhileWriteLocked(Database& db, Fn while_held) {
  std::promise<void> holding, release;
  auto release_future = release.get_future();
  std::thread holder([&] {
    Status st = db.InTransaction([&](Connection& c) -> Status {
      MLW_RETURN_IF_ERROR(c.Exec("INSERT INTO t VALUES (1)").status());
      holding.set_value();
      release_future.wait();
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  });
  holding.get_future().wait();
  while_held();
  release.set_value();
  holder.join();
}

TEST(RewritePlaceholdersTest, RewritesNumberedPlaceholdersOutsideQuotes) {
  EXPECT_EQ(RewritePlaceholders("SELECT $1, $12 FROM t WHERE a = $1"),
            "SELECT ?1, ?12 FROM t WHERE a = ?1");
  EXPECT_EQ(RewritePlaceholders("SELECT '$1', \"$2\", $3"), "SELECT '$1', \"$2\", ?3");
  EXPECT_EQ(RewritePlaceholders("SELECT 'it''s $1', $2"), "SELECT 'it''s $1', ?2");
  EXPECT_EQ(RewritePlaceholders("SELECT $1 -- $2\n, $3 /* $4 */"),
            "SELECT ?1 -- $2\n, ?3 /* $4 */");
  EXPECT_EQ(RewritePlaceholders("SELECT $a"), "SELECT $a");
}

TEST(SqliteDatabaseTest, RoundTripsEveryValueType) {
  TempDir dir;
  auto db = Open(dir);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a INTEGER, b REAL, c TEXT, d BLOB)").ok());
  auto n = db->Exec("INSERT INTO t VALUES ($1, $2, $3, $4)",
                    {int64_t{1} << 40, 2.5, std::string("héllo"), std::monostate{}});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  auto rows = db->Query("SELECT a, b, c, d, a + $1 FROM t", {int64_t{1}});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const Row& r = (*rows)[0];
  EXPECT_EQ(r.Int(0), int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(r.Real(1), 2.5);
  EXPECT_EQ(r.Text(2), "héllo");
  EXPECT_TRUE(r.IsNull(3));
  EXPECT_EQ(r.Int(4), (int64_t{1} << 40) + 1);
  EXPECT_DOUBLE_EQ(r.Real(0), static_cast<double>(int64_t{1} << 40));
  EXPECT_THROW((void)r.Text(0), std::logic_error);
}

TEST(SqliteDatabaseTest, QueryEachStreamsTypedRowsAndStopsAtTheVisitorsError) {
  TempDir dir;
  auto db = Open(dir);
  Status st = db->InTransaction([](Connection& c) -> Status {
    MLW_RETURN_IF_ERROR(c.Exec("CREATE TABLE t (a INTEGER, b REAL, c TEXT)").status());
    for (int64_t i = 1; i <= 3; ++i) {
      MLW_RETURN_IF_ERROR(
          c.Exec("INSERT INTO t VALUES ($1, $2, $3)",
                 {i, i == 2 ? Value(std::monostate{}) : Value(i + 0.5), "row " + std::to_string(i)})
              .status());
    }
    // Each row as it comes: views of one row are read before the next replaces them.
    std::vector<std::string> seen;
    MLW_RETURN_IF_ERROR(c.QueryEach(
        "SELECT a, b, c FROM t WHERE a >= $1 ORDER BY a", {int64_t{1}}, [&](const RowView& r) {
          EXPECT_EQ(r.size(), 3u);
          EXPECT_THROW((void)r.Int(3), std::out_of_range);
          seen.push_back(std::to_string(r.Int(0)) + ":" +
                         (r.IsNull(1) ? "null" : std::to_string(r.Real(1))) + ":" +
                         std::string(r.Text(2)));
          return Status::Ok();
        }));
    EXPECT_EQ(seen,
              (std::vector<std::string>{"1:1.500000:row 1", "2:null:row 2", "3:3.500000:row 3"}));
    // A visitor's error ends the statement; the connection stays usable.
    int visits = 0;
    Status stopped = c.QueryEach("SELECT a FROM t ORDER BY a", {}, [&](const RowView& r) {
      ++visits;
      return r.Int(0) == 2 ? Internal("stop at 2") : Status::Ok();
    });
    EXPECT_EQ(stopped.message(), "stop at 2");
    EXPECT_EQ(visits, 2);
    MLW_ASSIGN_OR_RETURN(Rows rows, c.Query("SELECT COUNT(*) FROM t"));
    EXPECT_EQ(rows[0].Int(0), 3);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(SqliteDatabaseTest, RejectsWrongParameterCountAndMultipleStatements) {
  TempDir dir;
  auto db = Open(dir);
  auto bad = db->Query("SELECT $1, $2", {int64_t{1}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto two = db->Exec("CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER)");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().code(), StatusCode::kInvalidArgument);
  auto syntax = db->Query("SELEC 1");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("syntax"), std::string::npos);
}

TEST(SqliteDatabaseTest, UsesWalAndEnforcesForeignKeys) {
  TempDir dir;
  auto db = Open(dir);
  auto mode = db->Query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ((*mode)[0].Text(0), "wal");
  ASSERT_TRUE(
      db->InTransaction([](Connection& c) {
          return c.ExecScript(
              "CREATE TABLE p (id INTEGER PRIMARY KEY);"
              "CREATE TABLE ch (id INTEGER PRIMARY KEY, p BIGINT NOT NULL REFERENCES p(id));");
        }).ok());
  auto orphan = db->Exec("INSERT INTO ch (p) VALUES ($1)", {int64_t{42}});
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(db->Exec("INSERT INTO p (id) VALUES (1)").ok());
  auto dup = db->Exec("INSERT INTO p (id) VALUES (1)");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
}

TEST(SqliteDatabaseTest, TransactionCommitsOnOkAndRollsBackOnError) {
  TempDir dir;
  auto db = Open(dir);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER)").ok());
  Status ok =
      db->InTransaction([](Connection& c) { return c.Exec("INSERT INTO t VALUES (1)").status(); });
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  Status failed = db->InTransaction([](Connection& c) -> Status {
    MLW_RETURN_IF_ERROR(c.Exec("INSERT INTO t VALUES (2)").status());
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(failed.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(failed.message(), "changed my mind");
  auto rows = db->Query("SELECT x FROM t ORDER BY x");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Int(0), 1);
  // The connection is usable after a rollback.
  EXPECT_TRUE(db->InTransaction([](Connection& c) {
                  return c.Exec("INSERT INTO t VALUES (3)").status();
                }).ok());
}

TEST(SqliteDatabaseTest, ConcurrentTransactionsSerializeWithoutLostUpdates) {
  TempDir dir;
  auto db = Open(dir);
  ASSERT_TRUE(db->Exec("CREATE TABLE c (n INTEGER)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO c VALUES (0)").ok());
  constexpr int kThreads = 4, kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        Status st = db->InTransaction([](Connection& c) -> Status {
          MLW_ASSIGN_OR_RETURN(Rows r, c.Query("SELECT n FROM c"));
          return c.Exec("UPDATE c SET n = $1", {r[0].Int(0) + 1}).status();
        });
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto rows = db->Query("SELECT n FROM c");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), kThreads * kPerThread);
}

TEST(SqliteDatabaseTest, WriterBlockedPastBusyTimeoutFailsUnavailable) {
  TempDir dir;
  DatabaseOptions opts;
  opts.busy_timeout_ms = 50;
  auto a = Open(dir, opts);
  auto b = Open(dir, opts);
  ASSERT_TRUE(a->Exec("CREATE TABLE t (x INTEGER)").ok());
  Status blocked;
  WhileWriteLocked(*a, [&] {
    blocked =
        b->InTransaction([](Connection& c) { return c.Exec("INSERT INTO t VALUES (2)").status(); });
  });
  EXPECT_EQ(blocked.code(), StatusCode::kUnavailable) << blocked.ToString();
  // Readers are not blocked by WAL writers, and the holder's row committed.
  auto rows = b->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 1);
}

// The same, within one SqliteDatabase: the second writer waits on the in-process writer lock
// (not SQLite's busy handler) and still gives up after the busy timeout, readable meanwhile.
TEST(SqliteDatabaseTest, WriterOfTheSameDatabaseBlockedPastBusyTimeoutFailsUnavailable) {
  TempDir dir;
  DatabaseOptions opts;
  opts.busy_timeout_ms = 50;
  auto db = Open(dir, opts);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER)").ok());
  Status blocked;
  Result<Rows> during = Rows{};
  WhileWriteLocked(*db, [&] {
    blocked = db->InTransaction(
        [](Connection& c) { return c.Exec("INSERT INTO t VALUES (2)").status(); });
    during = db->Query("SELECT COUNT(*) FROM t");
  });
  EXPECT_EQ(blocked.code(), StatusCode::kUnavailable) << blocked.ToString();
  EXPECT_NE(blocked.message().find("busy timeout"), std::string::npos) << blocked.ToString();
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  EXPECT_EQ((*during)[0].Int(0), 0);
  // Once the holder is done the next writer goes through.
  ASSERT_TRUE(db->InTransaction([](Connection& c) {
                  return c.Exec("INSERT INTO t VALUES (3)").status();
                }).ok());
  EXPECT_EQ((*db->Query("SELECT COUNT(*) FROM t"))[0].Int(0), 2);
}

TEST(DatabaseFactoryTest, NamesAcceptedFormsForUnknownSchemes) {
  auto db = OpenDatabase("mysql://root:secret@localhost/x");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(db.status().message().find("sqlite:///abs/path/mlworker.db"), std::string::npos);
  EXPECT_EQ(db.status().message().find("secret"), std::string::npos);
  EXPECT_FALSE(OpenDatabase("sqlite://").ok());
  EXPECT_FALSE(OpenDatabase("/just/a/path.db").ok());
}

TEST(DatabaseFactoryTest, RegisteredSchemeIsUsedAndListed) {
  RegisterDatabaseScheme(
      "fakedb", "fakedb://host/db",
      [](const std::string& url, const DatabaseOptions&) -> Result<std::unique_ptr<Database>> {
        return Unavailable("fake opener saw " + url);
      });
  auto db = OpenDatabase("fakedb://h/d");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().message(), "fake opener saw fakedb://h/d");
  auto other = OpenDatabase("nope://x");
  EXPECT_NE(other.status().message().find("fakedb://host/db"), std::string::npos);
}

TEST(DatabaseFactoryTest, OpensNestedPathAndRejectsNonDatabaseFile) {
  TempDir dir;
  auto db = OpenDatabase("sqlite://" + dir.path() + "/a/b/c.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::string junk = dir.path() + "/junk.db";
  FILE* f = fopen(junk.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("this is certainly not an SQLite database file, just some text padding it out......", f);
  fclose(f);
  auto bad = OpenDatabase("sqlite://" + junk);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnavailable);
}

TEST(DatabaseFactoryTest, InMemoryDatabaseWorks) {
  auto db = OpenDatabase("sqlite://:memory:");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x INTEGER)").ok());
  ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES (7)").ok());
  auto rows = (*db)->Query("SELECT x FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 7);
}

}  // namespace
}  // namespace mlw::store
