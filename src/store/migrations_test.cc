#include "store/migrations.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/database_factory.h"
#include "store/test_util.h"

namespace mlw::store {
namespace {

using testing::TempDir;

std::unique_ptr<Database> OpenFresh(const TempDir& dir) {
  auto db = OpenDatabase("sqlite://" + dir.path() + "/m.db");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

TEST(MigrationsTest, EmbeddedVersionsAreStrictlyIncreasing) {
  auto ms = EmbeddedMigrations(Dialect::kSqlite);
  ASSERT_FALSE(ms.empty());
  int64_t prev = 0;
  for (const auto& m : ms) {
    EXPECT_GT(m.version, prev) << m.name;
    prev = m.version;
  }
  EXPECT_EQ(LatestKnownVersion(Dialect::kSqlite), prev);
}

TEST(MigrationsTest, FreshDatabaseGetsEveryTableAndRerunIsANoOp) {
  TempDir dir;
  auto db = OpenFresh(dir);
  auto first = Migrate(*db);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, LatestKnownVersion(Dialect::kSqlite));
  EXPECT_EQ(first->applied, static_cast<int>(EmbeddedMigrations(Dialect::kSqlite).size()));
  for (const char* table :
       {"users", "lab_report_raw", "lab_report_categorized", "lab_report_daily",
        "lab_report_monthly", "lab_report_quarterly", "lab_report_yearly", "vitals_raw_data",
        "vitals_raw_categorized", "vitals_hourly_aggregates", "vitals_daily_aggregates",
        "vitals_weekly_aggregates", "vitals_monthly_aggregates", "nutrition_raw_data",
        "nutrition_daily_aggregates", "nutrition_weekly_aggregates", "nutrition_monthly_aggregates",
        "vitals_raw_rows", "schema_migrations"}) {
    // vitals_raw_data is a view over vitals_raw_rows (migration 0006).
    auto rows =
        db->Query("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = $1",
                  {std::string(table)});
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->size(), 1u) << table;
  }
  auto second = Migrate(*db);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->applied, 0);
  EXPECT_EQ(second->from_version, first->to_version);
}

TEST(MigrationsTest, RefusesNewerSchemaAndChangesNothing) {
  TempDir dir;
  auto db = OpenFresh(dir);
  ASSERT_TRUE(Migrate(*db).ok());
  int64_t future = LatestKnownVersion(Dialect::kSqlite) + 1;
  ASSERT_TRUE(
      db->Exec("INSERT INTO schema_migrations VALUES ($1, 'from_the_future', 0)", {future}).ok());
  auto again = Migrate(*db);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().reason(), "SchemaTooNew");
  EXPECT_NE(again.status().message().find(std::to_string(future)), std::string::npos);
  auto version = CurrentSchemaVersion(*db);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, future);
}

TEST(MigrationsTest, ConcurrentMigratorsApplyEachVersionOnce) {
  TempDir dir;
  auto a = OpenFresh(dir);
  auto b = OpenFresh(dir);
  Result<MigrateResult> ra = Status(StatusCode::kInternal, "unset");
  Result<MigrateResult> rb = Status(StatusCode::kInternal, "unset");
  std::thread ta([&] { ra = Migrate(*a); });
  std::thread tb([&] { rb = Migrate(*b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(ra->applied + rb->applied,
            static_cast<int>(EmbeddedMigrations(Dialect::kSqlite).size()));
  auto rows = a->Query("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), static_cast<int64_t>(EmbeddedMigrations(Dialect::kSqlite).size()));
}

}  // namespace
}  // namespace mlw::store

namespace mlw::store {
namespace {

TEST(MigrationsTest, AppliesAMissingLowerVersionAfterAHigherOne) {
  testing::TempDir dir;
  auto db = OpenDatabase("sqlite://" + dir.path() + "/o.db");
  ASSERT_TRUE(db.ok());
  const EmbeddedMigration first[] = {{80, "later_branch", "CREATE TABLE b (x INTEGER);"}};
  ASSERT_TRUE(Migrate(**db, first).ok());
  const EmbeddedMigration both[] = {{2, "merged_late", "CREATE TABLE a (x INTEGER);"},
                                    {80, "later_branch", "CREATE TABLE b (x INTEGER);"}};
  auto r = Migrate(**db, both);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->applied, 1);
  EXPECT_EQ(r->to_version, 80);
  EXPECT_TRUE((*db)->Query("SELECT COUNT(*) FROM a").ok());
}

TEST(MigrationsTest, UpgradesAVersionOneDatabaseKeepingItsRows) {
  testing::TempDir dir;
  auto opened = OpenDatabase("sqlite://" + dir.path() + "/u.db");
  ASSERT_TRUE(opened.ok());
  Database& db = **opened;
  auto all = EmbeddedMigrations(Dialect::kSqlite);
  ASSERT_TRUE(Migrate(db, all.first(1)).ok());
  ASSERT_TRUE(db.InTransaction([](Connection& c) {
                  return c.ExecScript(
                      "INSERT INTO users (id, timezone, created_at_us) VALUES (1, 'UTC', 0);"
                      "INSERT INTO vitals_raw_data (id, user_id, metric, value, unit, start_us, "
                      " end_us, status, created_at_us, processed_at_us) VALUES "
                      " (1, 1, 'heart_rate', 60, 'bpm', 5, 5, 'processed', 1, 9),"
                      " (2, 1, 'heart_rate', 61, 'bpm', 6, 6, 'pending', 1, NULL);"
                      "INSERT INTO vitals_raw_categorized (raw_id, user_id, series, loinc_code, "
                      " value, unit, start_us, end_us, categorized_at_us) VALUES "
                      " (1, 1, 'heart_rate', '8867-4', 60, '/min', 5, 5, 9);");
                }).ok());
  auto r = Migrate(db);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto raw = db.Query("SELECT id, finished_at_us FROM vitals_raw_data ORDER BY id");
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ((*raw)[0].Int(1), 9);
  EXPECT_TRUE((*raw)[1].IsNull(1));
  auto cat = db.Query("SELECT raw_id, value FROM vitals_raw_categorized");
  ASSERT_TRUE(cat.ok());
  ASSERT_EQ(cat->size(), 1u);
  EXPECT_DOUBLE_EQ((*cat)[0].Real(1), 60);
  // Open rows are found from the user's watermark through the index on user_id (0004).
  auto plan = db.Query(
      "EXPLAIN QUERY PLAN SELECT id FROM vitals_raw_rows "
      "WHERE user_id = 1 AND id >= 2 AND finished_at_us IS NULL");
  ASSERT_TRUE(plan.ok());
  EXPECT_NE((*plan)[0].Text(3).find("vitals_raw_data_user (user_id=? AND rowid>?)"),
            std::string::npos)
      << (*plan)[0].Text(3);
}

TEST(MigrationsTest, StatusCheckIsRewrittenWithoutInAndStillRejectsUnknownStatuses) {
  testing::TempDir dir;
  auto opened = OpenDatabase("sqlite://" + dir.path() + "/c.db");
  ASSERT_TRUE(opened.ok());
  Database& db = **opened;
  auto all = EmbeddedMigrations(Dialect::kSqlite);
  ASSERT_TRUE(Migrate(db, all.first(2)).ok());
  // A second pooled connection that parsed the old schema before the rewrite.
  ASSERT_TRUE(db.InTransaction([&](Connection& outer) -> Status {
                  MLW_RETURN_IF_ERROR(outer
                                          .Exec("INSERT INTO users (id, timezone, created_at_us) "
                                                "VALUES (1, 'UTC', 0)")
                                          .status());
                  return db.Query("SELECT COUNT(*) FROM vitals_raw_data").status();
                }).ok());
  auto r = Migrate(db);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto tables = db.Query(
      "SELECT name, sql FROM sqlite_schema WHERE name IN ('vitals_raw_rows', "
      "'nutrition_raw_data', 'lab_report_raw') ORDER BY name");
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 3u);
  for (const auto& t : *tables) {
    EXPECT_EQ(t.Text(1).find("status IN"), std::string::npos) << t.Text(0);
    EXPECT_NE(t.Text(1).find("status = 'failed'"), std::string::npos) << t.Text(0);
  }
  auto integrity = db.Query("PRAGMA integrity_check");
  ASSERT_TRUE(integrity.ok());
  EXPECT_EQ((*integrity)[0].Text(0), "ok");
  // Every connection of the pool enforces the rewritten constraint.
  for (int i = 0; i < 4; ++i) {
    auto bad = db.Exec(
        "INSERT INTO vitals_raw_rows (user_id, metric, value, unit, start_us, end_us, status, "
        "created_at_us) VALUES (1, 'heart_rate', 60, 'bpm', 5, 5, 'done', 1)");
    EXPECT_FALSE(bad.ok());
  }
  EXPECT_TRUE(db.Exec("INSERT INTO vitals_raw_rows (user_id, metric, value, unit, start_us, "
                      "end_us, status, created_at_us) VALUES (1, 'heart_rate', 60, 'bpm', 5, 5, "
                      "'failed', 1)")
                  .ok());
}

TEST(MigrationsTest, CategorizedVitalsLoseTheirUserCheckButFollowADeletedUser) {
  testing::TempDir dir;
  auto opened = OpenDatabase("sqlite://" + dir.path() + "/c.db");
  ASSERT_TRUE(opened.ok());
  Database& db = **opened;
  ASSERT_TRUE(Migrate(db).ok());
  auto fks = db.Query("PRAGMA foreign_key_list(vitals_raw_categorized)");
  ASSERT_TRUE(fks.ok());
  EXPECT_TRUE(fks->empty());
  ASSERT_TRUE(db.InTransaction([&](Connection& tx) -> Status {
                  return tx.ExecScript(
                      "INSERT INTO users (id, timezone, created_at_us) VALUES (1, 'UTC', 0), "
                      " (2, 'UTC', 0);"
                      "INSERT INTO vitals_raw_rows (id, user_id, metric, value, unit, start_us, "
                      " end_us, created_at_us) VALUES (1, 1, 'heart_rate', 60, 'bpm', 5, 5, 1), "
                      " (2, 2, 'heart_rate', 61, 'bpm', 5, 5, 1);"
                      "INSERT INTO vitals_raw_categorized (user_id, series, start_us, raw_id, "
                      " end_us, value, unit, loinc_code, categorized_at_us) VALUES "
                      " (1, 'heart_rate', 5, 1, 5, 60, '/min', '8867-4', 9), "
                      " (2, 'heart_rate', 5, 2, 5, 61, '/min', '8867-4', 9);");
                }).ok());
  ASSERT_TRUE(db.Exec("DELETE FROM users WHERE id = 1").ok());
  auto left = db.Query("SELECT user_id FROM vitals_raw_categorized");
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].Int(0), 2);
  auto raw = db.Query("SELECT COUNT(*) FROM vitals_raw_data");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ((*raw)[0].Int(0), 1);
  auto integrity = db.Query("PRAGMA integrity_check");
  ASSERT_TRUE(integrity.ok());
  EXPECT_EQ((*integrity)[0].Text(0), "ok");
}

}  // namespace
}  // namespace mlw::store
