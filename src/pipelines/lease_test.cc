// Row claims under concurrency and the retry-later answer for rows leased elsewhere. Built against
// SQLite here and against PostgreSQL (READ COMMITTED, row locks) in tests/postgres.
#include "pipelines/lease.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "pipelines/test_fixture.h"
#include "pipelines/vitals/vitals_ingest.h"
#include "pipelines/vitals/vitals_processor.h"

namespace mlw::pipelines {
namespace {

class LeaseTest : public testing::PipelineTest {
 protected:
  // `n` step samples of `user`, a minute apart, all pending.
  void IngestSteps(int64_t user, int n) {
    std::vector<vitals::VitalSample> samples;
    for (int k = 0; k < n; ++k) {
      vitals::VitalSample s;
      s.metric = "steps";
      s.value = 1;
      s.unit = "steps";
      s.start_us = s.end_us = testing::At("2025-12-31T00:00:00Z") + k * 60'000'000LL;
      samples.push_back(s);
    }
    std::vector<RowError> rejected;
    auto r = vitals::IngestVitalSamples(*db_, clock_, user, samples, {}, &rejected);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(rejected.empty());
  }

  Result<store::Rows> Claim(int64_t user, const std::string& owner, int64_t lease_us,
                            int64_t limit) {
    store::Rows rows;
    const int64_t now = clock_.NowMicros();
    Status s = db_->InTransaction([&](store::Connection& conn) -> Status {
      MLW_ASSIGN_OR_RETURN(
          rows, ClaimRows(conn, RawTable::kVitals, "id", user, owner, now, now + lease_us, limit));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return rows;
  }
};

TEST_F(LeaseTest, RowsLeasedByAnotherRunAskToRetryWhenThatLeaseExpires) {
  const int64_t user = NewUser();
  IngestSteps(user, 5);
  // A run that died after claiming two rows for 90 s.
  auto dead = Claim(user, "dead-run", 90'000'000, 2);
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 2u);

  auto run = vitals::ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->processed, 3);
  Status s = RetryWhileLeasedElsewhere(*db_, RawTable::kVitals, user, clock_.NowMicros());
  EXPECT_EQ(s.code(), StatusCode::kRetryLater) << s.ToString();
  EXPECT_EQ(s.retry_after_seconds(), 90);
  clock_.AdvanceMicros(44'500'000);
  s = RetryWhileLeasedElsewhere(*db_, RawTable::kVitals, user, clock_.NowMicros());
  EXPECT_EQ(s.retry_after_seconds(), 46);  // rounded up

  // Once the lease ran out the next run takes the rows; nothing is left to wait for.
  clock_.AdvanceSeconds(46);
  run = vitals::ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->processed, 2);
  EXPECT_TRUE(RetryWhileLeasedElsewhere(*db_, RawTable::kVitals, user, clock_.NowMicros()).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processed'"), 5);
  // Rows still pending after a run (one that stopped short, or rows that arrived meanwhile) are
  // not done either: retry in a second.
  IngestSteps(user, 1);
  s = RetryWhileLeasedElsewhere(*db_, RawTable::kVitals, user, clock_.NowMicros());
  EXPECT_EQ(s.code(), StatusCode::kRetryLater) << s.ToString();
  EXPECT_EQ(s.retry_after_seconds(), 1);
  // Another user's leases are none of this user's business.
  EXPECT_TRUE(
      RetryWhileLeasedElsewhere(*db_, RawTable::kVitals, NewUser(), clock_.NowMicros()).ok());
}

// The watermark of open rows (SQLite; always 0 on PostgreSQL) only ever rests on an open row or
// past the user's last one, so no open row is skipped.
TEST_F(LeaseTest, WatermarkNeverPassesAnOpenRowAndReopenedRowsAreSeenAgain) {
  const bool sqlite = db_->dialect() == store::Dialect::kSqlite;
  auto watermark = [&](int64_t user) {
    return Count(
        "SELECT COALESCE(MAX(first_open_id), 0) FROM raw_open_from "
        "WHERE user_id = $1 AND table_name = 'vitals_raw_data'",
        {user});
  };
  auto ids = [&](int64_t user) {
    auto rows = db_->Query("SELECT id FROM vitals_raw_data WHERE user_id = $1 ORDER BY id", {user});
    EXPECT_TRUE(rows.ok());
    std::vector<int64_t> out;
    for (const auto& r : *rows) out.push_back(r.Int(0));
    return out;
  };
  const int64_t user = NewUser();
  const int64_t other = NewUser();
  IngestSteps(user, 3);
  IngestSteps(other, 2);  // interleaved ids: the other user's rows lie between this user's
  IngestSteps(user, 3);
  const std::vector<int64_t> mine = ids(user);
  ASSERT_EQ(mine.size(), 6u);
  // A run that died holding the user's two oldest rows.
  auto dead = Claim(user, "dead-run", 90'000'000, 2);
  ASSERT_TRUE(dead.ok() && dead->size() == 2u);

  // The single-transaction round finishes the other four; the watermark stays at the first leased
  // row, which is still open.
  auto run = vitals::ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->processed, 4);
  if (sqlite) {
    EXPECT_EQ(watermark(user), mine[0]);
  }
  EXPECT_EQ(watermark(other), 0);  // untouched by this user's run

  // Once the lease has run out the three-transaction path takes the two rows and moves the
  // watermark past the user's last row.
  clock_.AdvanceSeconds(91);
  ProcessOptions three;
  three.single_transaction_rows = 0;
  run = vitals::ProcessPendingVitals(*db_, clock_, user, three);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->processed, 2);
  if (sqlite) {
    EXPECT_EQ(watermark(user), mine.back() + 1);
  }

  // Rows that arrive later lie above it; the other user's rows were never hidden.
  IngestSteps(user, 1);
  run = vitals::ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->processed, 1);
  run = vitals::ProcessPendingVitals(*db_, clock_, other);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->processed, 2);

  // Failed rows set back to pending are found again although they lie below the watermark.
  // As MarkReadRowFailed leaves a row: failed, with its error and finish time.
  ASSERT_TRUE(db_->Exec("UPDATE vitals_raw_rows SET status = 'failed', error = 'x', "
                        "finished_at_us = 1 WHERE id = $1",
                        {mine[1]})
                  .ok());
  auto reopened = ReopenRows(*db_, RawTable::kVitals, user, /*failed_only=*/true);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*reopened, 1);
  run = vitals::ProcessPendingVitals(*db_, clock_, user);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->processed, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processed'"), 9);
  if (sqlite) {
    EXPECT_EQ(watermark(user), ids(user).back() + 1);
  }
}

// What apps read in vitals_raw_data. On SQLite a single-transaction round leaves the rows the
// watermark passes as they were stored and the view derives their status; each row must still
// read as processed at its own round's time, with that round's attempt counted and no lease, and
// keep reading so through ReopenRows. PostgreSQL rewrites every row; it must read the same.
TEST_F(LeaseTest, ProcessedRowsReadTheirOwnRoundsFinishTimeAttemptsAndNoLease) {
  const bool sqlite = db_->dialect() == store::Dialect::kSqlite;
  const int64_t user = NewUser();
  struct Seen {
    std::string status;
    int64_t finished_at_us;
    int64_t attempts;
    bool leased;
    bool operator==(const Seen&) const = default;
  };
  auto seen = [&] {
    auto rows = db_->Query(
        "SELECT status, finished_at_us, attempts, lease_owner IS NOT NULL OR lease_expires_us IS "
        "NOT NULL FROM vitals_raw_data WHERE user_id = $1 ORDER BY id",
        {user});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<Seen> out;
    for (const auto& r : *rows) {
      out.push_back({r.Text(0), r.IsNull(1) ? -1 : r.Int(1), r.Int(2), r.Int(3) != 0});
    }
    return out;
  };
  auto process = [&](int64_t expect_processed) {
    auto run = vitals::ProcessPendingVitals(*db_, clock_, user);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->processed, expect_processed);
  };

  IngestSteps(user, 1);  // r1
  const int64_t t1 = clock_.NowMicros();
  process(1);
  IngestSteps(user, 1);  // r2, then held by a run that dies
  ASSERT_EQ(Claim(user, "dead-run", 90'000'000, 1)->size(), 1u);
  IngestSteps(user, 2);  // r3, r4
  clock_.AdvanceSeconds(10);
  const int64_t t2 = clock_.NowMicros();
  process(2);  // r3 and r4, above the leased r2
  clock_.AdvanceSeconds(91);
  const int64_t t3 = clock_.NowMicros();
  process(1);            // r2, its lease expired
  IngestSteps(user, 1);  // r5
  clock_.AdvanceSeconds(10);
  const int64_t t4 = clock_.NowMicros();
  process(1);

  const std::vector<Seen> expected = {{"processed", t1, 1, false},
                                      {"processed", t3, 2, false},
                                      {"processed", t2, 1, false},
                                      {"processed", t2, 1, false},
                                      {"processed", t4, 1, false}};
  EXPECT_EQ(seen(), expected);
  if (sqlite) {
    // r1, r2 and r5 were finished by the watermark alone; r3 and r4 lay above the leased r2.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_rows WHERE user_id = $1 AND "
                    "finished_at_us IS NULL",
                    {user}),
              3);
  }

  // Reopening only failed rows (there are none) changes nothing anyone reads, and leaves nothing
  // for the next run.
  auto reopened = ReopenRows(*db_, RawTable::kVitals, user, /*failed_only=*/true);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*reopened, 0);
  EXPECT_EQ(seen(), expected);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_rows WHERE user_id = $1 AND "
                  "finished_at_us IS NULL",
                  {user}),
            0);
  process(0);
  EXPECT_EQ(seen(), expected);

  // Reopening all of them makes every row pending; the next run finishes all five at its time.
  reopened = ReopenRows(*db_, RawTable::kVitals, user, /*failed_only=*/false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*reopened, 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM vitals_raw_data WHERE user_id = $1 AND "
                  "status = 'pending' AND finished_at_us IS NULL",
                  {user}),
            5);
  clock_.AdvanceSeconds(10);
  const int64_t t5 = clock_.NowMicros();
  process(5);
  EXPECT_EQ(seen(), (std::vector<Seen>{{"processed", t5, 2, false},
                                       {"processed", t5, 3, false},
                                       {"processed", t5, 2, false},
                                       {"processed", t5, 2, false},
                                       {"processed", t5, 2, false}}));
}

// Many claimers at once on one user's rows, each claim under a fresh owner: every row must be
// handed out exactly once, first while pending and again once all leases have expired. On
// PostgreSQL the claims race under READ COMMITTED: a claim that waited for another's row locks
// re-checks its WHERE clause on the new row version, which is what keeps a row from being claimed
// twice.
TEST_F(LeaseTest, ConcurrentClaimersNeverClaimTheSameRow) {
  const int64_t user = NewUser();
  constexpr int kRows = 600, kThreads = 6;
  IngestSteps(user, kRows);
  for (int phase = 0; phase < 2; ++phase) {
    std::mutex mu;
    std::map<int64_t, int> claims;  // row id -> times claimed
    std::vector<std::string> errors;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        // Bounded: at most this many claims per thread.
        for (int i = 0; i < 2 * kRows; ++i) {
          const std::string owner =
              "p" + std::to_string(phase) + "-t" + std::to_string(t) + "-" + std::to_string(i);
          auto rows = Claim(user, owner, 60'000'000, 1 + (t + i) % 5);
          std::lock_guard<std::mutex> lock(mu);
          if (!rows.ok()) {
            errors.push_back(rows.status().ToString());
            return;
          }
          for (const auto& r : *rows) ++claims[r.Int(0)];
          if (rows->empty() && claims.size() >= static_cast<size_t>(kRows)) return;
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(errors.empty()) << errors.front();
    EXPECT_EQ(claims.size(), static_cast<size_t>(kRows)) << "phase " << phase;
    for (const auto& [id, n] : claims) {
      EXPECT_EQ(n, 1) << "row " << id << " claimed " << n << " times in phase " << phase;
    }
    // Every lease runs out: the rows are claimable again, once each.
    clock_.AdvanceSeconds(61);
  }
}

}  // namespace
}  // namespace mlw::pipelines
