#include <gtest/gtest.h>

#include "pipelines/lease.h"
#include "pipelines/test_fixture.h"
#include "pipelines/user_status.h"
#include "pipelines/vitals/vitals_ingest.h"
#include "pipelines/vitals/vitals_processor.h"
#include "pipelines/vitals/vitals_query.h"
#include "store/fault_injecting_database.h"

namespace mlw::pipelines::vitals {
namespace {

using nlohmann::json;
using testing::At;

constexpr const char* kAggColumns =
    "user_id, series, period_start_us, period_end_us, loinc_code, unit, sample_count, total, "
    "average, minimum, maximum, latest_value, latest_at_us";

class VitalsPipelineTest : public testing::PipelineTest {
 protected:
  // Options that take the three-transaction path (claim, categorize, aggregate) for any round.
  static ProcessOptions ThreeTransactions() {
    ProcessOptions o;
    o.single_transaction_rows = 0;
    return o;
  }

  json Batch() {
    return json::array({
        {{"metric", "steps"},
         {"value", 900},
         {"unit", "count"},
         {"start", "2025-06-01T10:30:00Z"},
         {"end", "2025-06-01T12:00:00Z"}},
        {{"metric", "heart_rate"},
         {"value", 62},
         {"unit", "bpm"},
         {"start", "2025-06-01T10:05:00Z"}},
        {{"metric", "heart_rate"},
         {"value", 70},
         {"unit", "bpm"},
         {"start", "2025-06-01T11:05:00Z"}},
        {{"metric", "blood_pressure"},
         {"systolic", 121},
         {"diastolic", 79},
         {"unit", "mmHg"},
         {"start", "2025-06-01T08:00:00+02:00"}},
        {{"metric", "sleep"},
         {"stage", "rem"},
         {"start", "2025-05-31T23:00:00Z"},
         {"end", "2025-06-01T01:00:00Z"}},
    });
  }

  // A second upload into the buckets of Batch(): the same hours (one heart rate with the same
  // start as Batch()'s), other hours of the same days, other days of the same week and month.
  json LaterBatch() {
    return json::array({
        {{"metric", "steps"},
         {"value", 300},
         {"unit", "count"},
         {"start", "2025-06-01T11:15:00Z"},
         {"end", "2025-06-01T11:45:00Z"}},
        {{"metric", "heart_rate"},
         {"value", 80},
         {"unit", "bpm"},
         {"start", "2025-06-01T10:05:00Z"}},
        {{"metric", "heart_rate"},
         {"value", 90},
         {"unit", "bpm"},
         {"start", "2025-06-01T15:30:00Z"}},
        {{"metric", "heart_rate"},
         {"value", 55},
         {"unit", "bpm"},
         {"start", "2025-06-03T07:00:00Z"}},
        {{"metric", "sleep"},
         {"stage", "rem"},
         {"start", "2025-06-01T00:30:00Z"},
         {"end", "2025-06-01T01:30:00Z"}},
        {{"metric", "steps"},
         {"value", 1200},
         {"unit", "count"},
         {"start", "2025-06-20T09:00:00Z"},
         {"end", "2025-06-20T10:00:00Z"}},
    });
  }

  void Ingest(store::Database& db, int64_t user, const json& batch) {
    std::vector<RowError> rejected;
    auto r = IngestVitals(db, clock_, user, batch, {}, &rejected);
    ASSERT_TRUE(r.ok()) << r.status().ToString() << RowErrorsToJson(rejected).dump();
  }

  std::vector<std::string> AllAggregates(store::Database& db) {
    std::vector<std::string> out;
    for (const char* t : {"vitals_hourly_aggregates", "vitals_daily_aggregates",
                          "vitals_weekly_aggregates", "vitals_monthly_aggregates"}) {
      auto part = Snapshot(db, t, kAggColumns);
      out.push_back(std::string("# ") + t);
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
};

TEST_F(VitalsPipelineTest, RejectedBatchWritesNothingAndListsEveryBadRow) {
  int64_t user = NewUser();
  json batch = Batch();
  batch.push_back(
      {{"metric", "steps"}, {"value", -3}, {"unit", "count"}, {"start", "2025-06-01T10:00:00Z"}});
  batch.push_back({{"metric", "oxygen_saturation"},
                   {"value", 140},
                   {"unit", "%"},
                   {"start", "2025-06-01T10:00:00Z"}});
  batch.push_back({{"metric", "heart_rate"},
                   {"value", 60},
                   {"unit", "bpm"},
                   {"start", "2031-01-01T00:00:00Z"}});
  batch.push_back(
      {{"metric", "heart_rate"}, {"value", 60}, {"unit", "kg"}, {"start", "not a time"}});
  bool hook_ran = false;
  std::vector<RowError> rejected;
  auto r = IngestVitals(
      *db_, clock_, user, batch,
      [&](store::Connection&) {
        hook_ran = true;
        return Status::Ok();
      },
      &rejected);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().reason(), "ValidationFailed");
  EXPECT_FALSE(hook_ran);
  std::vector<size_t> indices;
  for (const auto& e : rejected) indices.push_back(e.index);
  EXPECT_EQ(indices, (std::vector<size_t>{5, 6, 7, 8}));
  EXPECT_EQ(rejected[0].field, "value");
  EXPECT_EQ(rejected[2].field, "start");
  EXPECT_EQ(rejected[3].field, "start");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data"), 0);
}

TEST_F(VitalsPipelineTest, HookRunsInTheIngestTransaction) {
  int64_t user = NewUser();
  ASSERT_TRUE(db_->Exec("CREATE TABLE outbox (user_id BIGINT)").ok());
  std::vector<RowError> rejected;
  auto ok = IngestVitals(
      *db_, clock_, user, Batch(),
      [&](store::Connection& c) {
        return c.Exec("INSERT INTO outbox VALUES ($1)", {user}).status();
      },
      &rejected);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->accepted, 5);
  auto failed = IngestVitals(
      *db_, clock_, user, Batch(), [](store::Connection&) { return Unavailable("queue down"); },
      &rejected);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 1);
  auto missing = IngestVitals(*db_, clock_, user + 100, Batch(), {}, &rejected);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(VitalsPipelineTest, ProcessBuildsAllFourRollupsAndQueriesReturnThem) {
  int64_t user = NewUser("Europe/London");
  Ingest(*db_, user, Batch());
  auto stats = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->claimed, 5);
  EXPECT_EQ(stats->processed, 5);
  EXPECT_EQ(stats->failed, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processed'"), 5);

  // London is at +01:00 in June: 10:30Z-12:00Z is 11:30-13:00 local, split 1/3 : 2/3.
  auto hourly = QueryVitalsAggregates(*db_, user, "steps", Period::kHourly,
                                      At("2025-06-01T00:00:00Z"), At("2025-06-02T00:00:00Z"));
  ASSERT_TRUE(hourly.ok()) << hourly.status().ToString();
  ASSERT_EQ(hourly->series.size(), 1u);
  const auto& hb = hourly->series[0].buckets;
  ASSERT_EQ(hb.size(), 2u);
  EXPECT_EQ(hb[0].start_us, At("2025-06-01T11:00:00+01:00"));
  EXPECT_DOUBLE_EQ(hb[0].sum, 300);
  EXPECT_DOUBLE_EQ(hb[1].sum, 600);
  EXPECT_EQ(hourly->series[0].loinc_code, "55423-8");

  auto bp = QueryVitalsAggregates(*db_, user, "blood_pressure", Period::kMonthly, 0,
                                  At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(bp.ok());
  ASSERT_EQ(bp->series.size(), 2u);
  EXPECT_DOUBLE_EQ(bp->series[0].buckets.at(0).avg, 121);
  EXPECT_DOUBLE_EQ(bp->series[1].buckets.at(0).avg, 79);
  json j = bp->ToJson();
  EXPECT_EQ(j["series"][0]["buckets"][0]["start"], "2025-06-01T00:00:00+01:00");
  EXPECT_EQ(j["series"][1]["unit"], "mm[Hg]");

  // Sleep 23:00Z-01:00Z is 00:00-02:00 local on June 1st: one daily bucket of 120 minutes.
  auto sleep =
      QueryVitalsAggregates(*db_, user, "sleep_rem", Period::kDaily, 0, At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(sleep.ok());
  ASSERT_EQ(sleep->series.at(0).buckets.size(), 1u);
  EXPECT_DOUBLE_EQ(sleep->series[0].buckets[0].sum, 120);

  auto weekly = QueryVitalsAggregates(*db_, user, "heart_rate", Period::kWeekly, 0,
                                      At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(weekly.ok());
  ASSERT_EQ(weekly->series[0].buckets.size(), 1u);
  EXPECT_EQ(weekly->series[0].buckets[0].start_us, At("2025-05-26T00:00:00+01:00"));  // Monday
  EXPECT_DOUBLE_EQ(weekly->series[0].buckets[0].latest, 70);
  EXPECT_EQ(weekly->series[0].buckets[0].count, 2);

  EXPECT_EQ(QueryVitalsAggregates(*db_, user, "mood", Period::kDaily, 0, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(QueryVitalsAggregates(*db_, user, "steps", Period::kYearly, 0, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(VitalsPipelineTest, ProcessingTheSameTriggerTwiceLeavesIdenticalAggregates) {
  int64_t user = NewUser("America/New_York");
  Ingest(*db_, user, Batch());
  ASSERT_TRUE(ProcessPendingVitals(*db_, clock_, user).ok());
  auto once = AllAggregates(*db_);
  ASSERT_GT(once.size(), 8u);
  auto again = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->claimed, 0);
  // At-least-once delivery can also redo work that already committed: put the rows back to
  // pending as a lost acknowledgement would, and process them a second time.
  auto reopened = ReopenRows(*db_, RawTable::kVitals, user, /*failed_only=*/false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*reopened, 5);
  auto redo = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(redo.ok());
  EXPECT_EQ(redo->processed, 5);
  EXPECT_EQ(AllAggregates(*db_), once);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_categorized"), 7);
}

TEST_F(VitalsPipelineTest, CrashBetweenCategorizationAndAggregationConvergesToACleanRun) {
  // The clean run, in its own database.
  store::testing::TempDir clean_dir;
  auto clean = store::testing::OpenMigrated(clean_dir);
  ASSERT_TRUE(CreateUser(*clean, clock_, "Australia/Lord_Howe").ok());
  Ingest(*clean, 1, Batch());
  ASSERT_TRUE(ProcessPendingVitals(*clean, clock_, 1).ok());

  int64_t user = NewUser("Australia/Lord_Howe");
  ASSERT_EQ(user, 1);
  Ingest(*db_, user, Batch());
  store::FaultInjectingDatabase faulty(*db_);
  faulty.FailCommit(3);  // claim, categorize, then the aggregation commit dies
  auto crashed = ProcessPendingVitals(faulty, clock_, user, ThreeTransactions());
  ASSERT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.status().reason(), "InjectedFault");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_categorized"), 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_daily_aggregates"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processing'"), 5);

  // While the lease holds, nobody else takes the rows.
  auto early = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->claimed, 0);
  auto sweep_early = Sweep(*db_, clock_);
  ASSERT_TRUE(sweep_early.ok());
  EXPECT_TRUE(sweep_early->empty());

  clock_.AdvanceSeconds(301);
  auto sweep = Sweep(*db_, clock_);
  ASSERT_TRUE(sweep.ok());
  ASSERT_EQ(sweep->size(), 1u);
  EXPECT_EQ((*sweep)[0].job_type, "process_pending_vitals");
  auto retry = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->processed, 5);
  EXPECT_EQ(AllAggregates(*db_), AllAggregates(*clean));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_categorized"), 7);
}

TEST_F(VitalsPipelineTest, LaterRunsOverStoredBucketsAndARecategorizedRowMatchACleanRun) {
  // The recompute merges the round's values held in memory with the categorized rows and finer
  // aggregates stored before. Here the stored rows of the second upload are the same raw rows
  // categorized by a run that died before aggregating (they must count once), and those of the
  // first upload share its hours, days, weeks and months (they must still count).
  store::testing::TempDir clean_dir;
  auto clean = store::testing::OpenMigrated(clean_dir);
  ASSERT_TRUE(CreateUser(*clean, clock_, "America/New_York").ok());
  Ingest(*clean, 1, Batch());
  Ingest(*clean, 1, LaterBatch());
  ASSERT_TRUE(ProcessPendingVitals(*clean, clock_, 1).ok());
  const auto expected = AllAggregates(*clean);

  for (bool retry_in_one_transaction : {true, false}) {
    SCOPED_TRACE(retry_in_one_transaction ? "single-transaction retry" : "three-transaction retry");
    store::testing::TempDir dir;
    auto db = store::testing::OpenMigrated(dir);
    ASSERT_TRUE(CreateUser(*db, clock_, "America/New_York").ok());
    Ingest(*db, 1, Batch());
    ASSERT_TRUE(ProcessPendingVitals(*db, clock_, 1).ok());
    Ingest(*db, 1, LaterBatch());
    store::FaultInjectingDatabase faulty(*db);
    faulty.FailCommit(3);  // claim, categorize, then the aggregation commit dies
    ASSERT_FALSE(ProcessPendingVitals(faulty, clock_, 1, ThreeTransactions()).ok());
    auto categorized = db->Query("SELECT COUNT(*) FROM vitals_raw_categorized");
    ASSERT_TRUE(categorized.ok());
    EXPECT_EQ((*categorized)[0].Int(0), 7 + 7);

    clock_.AdvanceSeconds(301);
    auto retry = ProcessPendingVitals(
        *db, clock_, 1, retry_in_one_transaction ? ProcessOptions{} : ThreeTransactions());
    ASSERT_TRUE(retry.ok()) << retry.status().ToString();
    EXPECT_EQ(retry->processed, 6);
    EXPECT_EQ(AllAggregates(*db), expected);
  }
}

TEST_F(VitalsPipelineTest, CommitLostAfterCategorizationIsAlsoRecovered) {
  int64_t user = NewUser();
  Ingest(*db_, user, Batch());
  store::FaultInjectingDatabase faulty(*db_);
  faulty.FailCommit(2, store::CommitFault::kAfterCommit);
  ASSERT_FALSE(ProcessPendingVitals(faulty, clock_, user, ThreeTransactions()).ok());
  clock_.AdvanceSeconds(301);
  ASSERT_TRUE(ProcessPendingVitals(*db_, clock_, user).ok());
  auto daily =
      QueryVitalsAggregates(*db_, user, "steps", Period::kDaily, 0, At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(daily.ok());
  EXPECT_DOUBLE_EQ(daily->series[0].buckets.at(0).sum, 900);
}

TEST_F(VitalsPipelineTest, SmallRoundIsOneTransactionAndACrashLeavesRowsPending) {
  store::testing::TempDir clean_dir;
  auto clean = store::testing::OpenMigrated(clean_dir);
  ASSERT_TRUE(CreateUser(*clean, clock_, "Europe/London").ok());
  Ingest(*clean, 1, Batch());
  ASSERT_TRUE(ProcessPendingVitals(*clean, clock_, 1).ok());

  int64_t user = NewUser("Europe/London");
  ASSERT_EQ(user, 1);
  Ingest(*db_, user, Batch());
  store::FaultInjectingDatabase faulty(*db_);
  faulty.FailCommit(1);  // the run's only commit dies
  int consumed = 0;
  ProcessOptions counting;
  counting.before_claim = [&](store::Connection&) {
    ++consumed;
    return Status::Ok();
  };
  auto crashed = ProcessPendingVitals(faulty, clock_, user, counting);
  ASSERT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.status().reason(), "InjectedFault");
  EXPECT_EQ(consumed, 1);
  // Nothing of the run is left: no lease to wait for, rows pending, no categorized rows.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'pending'"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_categorized"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_daily_aggregates"), 0);

  auto retry = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->processed, 5);
  EXPECT_EQ(AllAggregates(*db_), AllAggregates(*clean));
}

TEST_F(VitalsPipelineTest, RoundsAboveTheSingleTransactionLimitCommitTheirClaimFirst) {
  int64_t user = NewUser();
  Ingest(*db_, user, Batch());
  ProcessOptions options;
  options.single_transaction_rows = 4;  // the batch has 5 rows
  store::FaultInjectingDatabase faulty(*db_);
  // Transaction 1 finds too many rows open and changes nothing; 2 commits the claim; 3, the
  // categorization, dies.
  faulty.FailCommit(3);
  ASSERT_FALSE(ProcessPendingVitals(faulty, clock_, user, options).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processing'"), 5);
  options.single_transaction_rows = 5;
  store::FaultInjectingDatabase at_limit(*db_);
  clock_.AdvanceSeconds(301);
  at_limit.FailCommit(1);  // a round at the limit has one commit
  ASSERT_FALSE(ProcessPendingVitals(at_limit, clock_, user, options).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processing'"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_categorized"), 0);
  auto retry = ProcessPendingVitals(*db_, clock_, user, options);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->processed, 5);
}

TEST_F(VitalsPipelineTest, SingleTransactionRoundLeavesLiveLeasesToTheirHolder) {
  int64_t user = NewUser();
  Ingest(*db_, user, Batch());
  store::FaultInjectingDatabase faulty(*db_);
  faulty.FailCommit(2);  // the claim commits, the categorization dies: 5 rows stay leased
  ASSERT_FALSE(ProcessPendingVitals(faulty, clock_, user, ThreeTransactions()).ok());
  Ingest(*db_, user, Batch());

  // The next run fits in one transaction: it takes the 5 pending rows and not the leased ones.
  auto run = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->claimed, 5);
  EXPECT_EQ(run->processed, 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processing' AND "
                  "lease_owner IS NOT NULL AND attempts = 1"),
            5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processed' AND "
                  "attempts = 1 AND finished_at_us IS NOT NULL AND lease_owner IS NULL"),
            5);

  // Once the lease expires the leftovers are taken, counted as their second attempt.
  clock_.AdvanceSeconds(301);
  auto retry = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->processed, 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processed' AND "
                  "attempts = 2 AND lease_expires_us IS NULL"),
            5);
  auto daily =
      QueryVitalsAggregates(*db_, user, "steps", Period::kDaily, 0, At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(daily.ok());
  EXPECT_DOUBLE_EQ(daily->series[0].buckets.at(0).sum, 1800);
}

TEST_F(VitalsPipelineTest, BadRawRowFailsAloneWithItsReason) {
  int64_t user = NewUser();
  Ingest(*db_, user, Batch());
  // A row that bypassed ingest validation (older binary, manual insert).
  ASSERT_TRUE(db_->Exec("INSERT INTO vitals_raw_rows (user_id, metric, value, unit, start_us, "
                        "end_us, created_at_us) VALUES ($1, 'heart_rate', 500, 'bpm', 0, 0, 0)",
                        {user})
                  .ok());
  auto stats = ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->failed, 1);
  EXPECT_EQ(stats->processed, 5);
  auto rows = db_->Query("SELECT error FROM vitals_raw_data WHERE status = 'failed'");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_NE((*rows)[0].Text(0).find("plausible range"), std::string::npos);
  auto status = QueryUserStatus(*db_, user);
  ASSERT_TRUE(status.ok());
  json j = status->ToJson();
  EXPECT_EQ(j["vitals"]["failed"], 1);
  EXPECT_EQ(j["vitals"]["pending"], 0);
  EXPECT_EQ(QueryUserStatus(*db_, user + 1).status().code(), StatusCode::kNotFound);
}

TEST_F(VitalsPipelineTest, SmallClaimRoundsGiveTheSameResultAsOneRound) {
  int64_t a = NewUser("Asia/Kolkata");
  int64_t b = NewUser("Asia/Kolkata");
  Ingest(*db_, a, Batch());
  Ingest(*db_, b, Batch());
  ProcessOptions small;
  small.rows_per_claim = 2;
  ASSERT_TRUE(ProcessPendingVitals(*db_, clock_, a, small).ok());
  ASSERT_TRUE(ProcessPendingVitals(*db_, clock_, b).ok());
  auto qa = QueryVitalsAggregates(*db_, a, "steps", Period::kHourly, 0, At("2030-01-01T00:00:00Z"));
  auto qb = QueryVitalsAggregates(*db_, b, "steps", Period::kHourly, 0, At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(qa.ok() && qb.ok());
  EXPECT_EQ(qa->ToJson()["series"], qb->ToJson()["series"]);
}

}  // namespace
}  // namespace mlw::pipelines::vitals
