// The retry-later answer for rows leased elsewhere. Built against SQLite here and against
// PostgreSQL in tests/postgres.
#include "pipelines/lease.h"

#include <gtest/gtest.h>

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
  // Another user's leases are none of this user's business.
  EXPECT_TRUE(
      RetryWhileLeasedElsewhere(*db_, RawTable::kVitals, NewUser(), clock_.NowMicros()).ok());
}

}  // namespace
}  // namespace mlw::pipelines
