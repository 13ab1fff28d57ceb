#include <date/tz.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "pipelines/labs/labs_ingest.h"
#include "pipelines/labs/labs_processor.h"
#include "pipelines/labs/labs_query.h"
#include "pipelines/lease.h"
#include "pipelines/test_fixture.h"
#include "pipelines/user_status.h"
#include "store/fault_injecting_database.h"

namespace mlw::pipelines::labs {
namespace {

using nlohmann::json;
using testing::At;

json Report(const char* date) {
  return {{"report_date", date},
          {"lab_name", "Quest"},
          {"tests",
           json::array({
               {{"name", "Glucose, Serum"},
                {"value", 7.2},
                {"unit", "mmol/L"},
                {"reference_range", "3.9-5.5"}},
               {{"name", "Hemoglobin"},
                {"value", "12.9"},
                {"unit", "g/dL"},
                {"reference_range", "13.5-17.5"},
                {"flag", "L"}},
               {{"name", "Urine Glucose"}, {"value", "Negative"}, {"reference_range", "Negative"}},
               {{"name", "Zonulin"}, {"value", "<0.1"}, {"unit", "ng/mL"}},
               {{"name", "HDL Cholesterol"},
                {"value", 45},
                {"unit", "mg/dL"},
                {"reference_range", ">=40"}},
           })}};
}

class LabsPipelineTest : public testing::PipelineTest {
 protected:
  void Ingest(store::Database& db, int64_t user, const json& report) {
    std::vector<RowError> rejected;
    auto r = IngestLabReport(db, clock_, user, report, {}, &rejected);
    ASSERT_TRUE(r.ok()) << r.status().ToString() << RowErrorsToJson(rejected).dump();
  }
  std::vector<std::string> All(store::Database& db) {
    std::vector<std::string> out;
    for (const char* t :
         {"lab_report_daily", "lab_report_monthly", "lab_report_quarterly", "lab_report_yearly"}) {
      auto part = Snapshot(db, t,
                           "user_id, test_key, period_start_us, period_end_us, loinc_code, "
                           "test_name, unit, result_count, numeric_count, average, minimum, "
                           "maximum, latest_value, latest_text, latest_at_us, out_of_range_count");
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
};

TEST_F(LabsPipelineTest, RejectedReportWritesNothingAndListsEveryBadTest) {
  int64_t user = NewUser();
  json report = Report("2025-04-01");
  report["tests"].push_back({{"name", "LDL"}, {"value", 120}, {"reference_range", "see note"}});
  report["tests"].push_back({{"name", "TSH"}, {"unit", "mIU/L"}});
  report["tests"].push_back({{"name", "ALT"}, {"value", 20}, {"flag", "maybe"}});
  report["tests"].push_back({{"value", 20}, {"colour", "red"}});
  std::vector<RowError> rejected;
  auto r = IngestLabReport(*db_, clock_, user, report, {}, &rejected);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "ValidationFailed");
  std::vector<std::pair<size_t, std::string>> got;
  for (const auto& e : rejected) got.emplace_back(e.index, e.field);
  EXPECT_EQ(got,
            (std::vector<std::pair<size_t, std::string>>{
                {5, "reference_range"}, {6, "value"}, {7, "flag"}, {8, "colour"}, {8, "name"}}));
  json future = Report("2026-03-01");
  EXPECT_FALSE(IngestLabReport(*db_, clock_, user, future, {}, &rejected).ok());
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].field, "report_date");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lab_report_raw"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lab_reports"), 0);
}

TEST_F(LabsPipelineTest, CodesNormalizesFlagsAndAggregates) {
  int64_t user = NewUser("America/Los_Angeles");
  Ingest(*db_, user, Report("2025-03-31"));
  Ingest(*db_, user, Report("2025-04-02T09:00:00-07:00"));
  auto stats = ProcessPendingLabs(*db_, clock_, user);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->processed, 10);
  EXPECT_EQ(stats->failed, 0);

  auto results =
      QueryLabResults(*db_, user, At("2025-04-01T00:00:00-07:00"), At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->results.size(), 5u);
  const auto& glucose = results->results[0];
  EXPECT_EQ(glucose.loinc_code, "2345-7");
  EXPECT_EQ(glucose.category, "metabolic_electrolytes");
  EXPECT_NEAR(*glucose.canonical_value, 7.2 * 18.0156, 1e-9);
  EXPECT_EQ(glucose.canonical_unit, "mg/dL");
  EXPECT_EQ(glucose.flag, "high");
  EXPECT_EQ(glucose.flag_source, "derived");
  EXPECT_NEAR(*glucose.ref_high, 5.5 * 18.0156, 1e-9);
  EXPECT_EQ(results->results[1].flag_source, "given");
  EXPECT_EQ(results->results[2].loinc_code, "5792-7");
  EXPECT_EQ(results->results[2].flag, "normal");
  EXPECT_EQ(results->results[3].coding_status, "unmapped");
  EXPECT_EQ(results->results[3].comparator, "<");
  json j = results->ToJson();
  EXPECT_EQ(j["results"][0]["report_date"], "2025-04-02T09:00:00-07:00");
  EXPECT_EQ(j["results"][0]["lab_name"], "Quest");

  // A date-only report date is local midnight: March 31st is Q1, April 2nd is Q2.
  auto quarterly = QueryLabAggregates(*db_, user, Period::kQuarterly, "2345-7");
  ASSERT_TRUE(quarterly.ok());
  ASSERT_EQ(quarterly->tests.size(), 1u);
  ASSERT_EQ(quarterly->tests[0].buckets.size(), 2u);
  EXPECT_EQ(quarterly->tests[0].buckets[0].start_us, At("2025-01-01T00:00:00-08:00"));
  auto yearly = QueryLabAggregates(*db_, user, Period::kYearly, "");
  ASSERT_TRUE(yearly.ok());
  ASSERT_EQ(yearly->tests.size(), 5u);
  for (const auto& t : yearly->tests) {
    ASSERT_EQ(t.buckets.size(), 1u) << t.test_key;
    EXPECT_EQ(t.buckets[0].result_count, 2) << t.test_key;
  }
  auto glucose_year = QueryLabAggregates(*db_, user, Period::kYearly, "2345-7");
  const auto& gb = glucose_year->tests.at(0).buckets.at(0);
  EXPECT_EQ(gb.out_of_range_count, 2);
  EXPECT_NEAR(*gb.avg, 7.2 * 18.0156, 1e-9);
  auto zonulin = QueryLabAggregates(*db_, user, Period::kMonthly, "name:zonulin");
  ASSERT_TRUE(zonulin.ok());
  ASSERT_EQ(zonulin->tests.size(), 1u);
  EXPECT_EQ(zonulin->tests[0].buckets.size(), 2u);
  EXPECT_EQ(zonulin->tests[0].buckets[1].latest_text, "<0.1");
  EXPECT_EQ(QueryLabAggregates(*db_, user, Period::kWeekly, "").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(LabsPipelineTest, RangesPrintedWithAUnitAreComparedInTheRightUnit) {
  int64_t user = NewUser();
  json report = {
      {"report_date", "2025-04-01"},
      {"tests",
       json::array({
           // Same unit as the value.
           {{"name", "TSH"},
            {"value", 5.1},
            {"unit", "mIU/L"},
            {"reference_range", "0.4-4.0 mIU/L"}},
           // Value in mmol/L, range printed in mg/dL: 5.0 mmol/L is 90 mg/dL.
           {{"name", "Glucose"},
            {"value", 5.0},
            {"unit", "mmol/L"},
            {"reference_range", "70-99 mg/dL"}},
           {{"name", "Glucose"},
            {"value", 7.0},
            {"unit", "mmol/L"},
            {"reference_range", "70-99 mg/dL"}},
           // Units that cannot be reconciled: no flag rather than a wrong one.
           {{"name", "Zonulin"}, {"value", 30}, {"unit", "ng/mL"}, {"reference_range", "<20 ug/L"}},
       })}};
  Ingest(*db_, user, report);
  auto stats = ProcessPendingLabs(*db_, clock_, user);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->failed, 0);
  auto results =
      QueryLabResults(*db_, user, At("2025-03-01T00:00:00Z"), At("2025-05-01T00:00:00Z"));
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->results.size(), 4u);
  std::map<std::string, std::string> flags;
  for (const auto& r : results->results) {
    flags[r.test_name + " " + r.value_text] = r.flag + "/" + r.flag_source;
  }
  EXPECT_EQ(flags["TSH 5.1"], "high/derived");
  EXPECT_EQ(flags["Glucose 5.0"], "normal/derived");
  EXPECT_EQ(flags["Glucose 7.0"], "high/derived");
  EXPECT_EQ(flags["Zonulin 30"], "/none");
  for (const auto& r : results->results) {
    if (r.test_name == "Glucose") {
      EXPECT_NEAR(*r.ref_high, 99.0, 1e-9);  // canonical mg/dL, from the printed range unit
    }
  }
}

TEST_F(LabsPipelineTest, CrashAndRedeliveryConvergeToACleanRun) {
  store::testing::TempDir clean_dir;
  auto clean = store::testing::OpenMigrated(clean_dir);
  ASSERT_TRUE(CreateUser(*clean, clock_, "Europe/London").ok());
  Ingest(*clean, 1, Report("2025-03-30"));
  ASSERT_TRUE(ProcessPendingLabs(*clean, clock_, 1).ok());

  int64_t user = NewUser("Europe/London");
  Ingest(*db_, user, Report("2025-03-30"));
  store::FaultInjectingDatabase faulty(*db_);
  faulty.FailCommit(3);  // after categorization, before aggregation commits
  ASSERT_FALSE(ProcessPendingLabs(faulty, clock_, user).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lab_report_categorized"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lab_report_yearly"), 0);
  clock_.AdvanceSeconds(301);
  ASSERT_TRUE(ProcessPendingLabs(*db_, clock_, user).ok());
  EXPECT_EQ(All(*db_), All(*clean));
  auto reopened = ReopenRows(*db_, RawTable::kLabs, user, /*failed_only=*/false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*reopened, 5);
  auto redo = ProcessPendingLabs(*db_, clock_, user);
  ASSERT_TRUE(redo.ok());
  EXPECT_EQ(redo->processed, 5);
  EXPECT_EQ(All(*db_), All(*clean));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM lab_report_categorized"), 5);
}

// Random reports around quarter and year ends, the leap day of 2024 and DST changes, in zones with
// odd offsets and a 30-minute DST shift, dated by day or by instant; every daily, monthly,
// quarterly and yearly bucket of every test is compared with a straightforward computation over
// the report's local calendar date in the user's zone.
TEST_F(LabsPipelineTest, RandomReportsMatchAStraightforwardComputation) {
  struct Test {
    const char* name;
    const char* unit;
    const char* range;  // "" for none: never out of range
    double low, high;   // the range's bounds, both inclusive
  };
  const Test tests[] = {{"Glucose", "mg/dL", "70-99", 70, 99},
                        {"HDL Cholesterol", "mg/dL", ">=40", 40, 1e9},
                        {"Zonulin", "ng/mL", "", -1e9, 1e9}};
  struct Stats {
    int64_t count = 0, out_of_range = 0;
    double sum = 0, min = 1e18, max = -1e18, latest = 0;
    int64_t latest_at = INT64_MIN;
  };
  for (const char* zone : {"Australia/Lord_Howe", "America/New_York", "Asia/Kolkata"}) {
    const int64_t user = NewUser(zone);
    const date::time_zone* tz = date::locate_zone(zone);
    std::mt19937_64 rng(std::hash<std::string>{}(zone));
    // period -> test name -> bucket key (of the local date) -> expected
    std::map<Period, std::map<std::string, std::map<int64_t, Stats>>> expected;
    auto key_of = [](Period period, date::local_days day) -> int64_t {
      const date::year_month_day ymd{day};
      const int64_t year = int(ymd.year()), month = unsigned(ymd.month());
      switch (period) {
        case Period::kDaily:
          return day.time_since_epoch().count();
        case Period::kMonthly:
          return year * 12 + month - 1;
        case Period::kQuarterly:
          return year * 4 + (month - 1) / 3;
        default:
          return year;
      }
    };
    auto local_day = [&](int64_t us) {
      return date::floor<date::days>(
          tz->to_local(date::sys_seconds{std::chrono::seconds{us / 1'000'000}}));
    };
    const int64_t lo = At("2023-12-20T00:00:00Z"), hi = At("2025-04-05T00:00:00Z");
    // Report dates: a day (local midnight in the user's zone) or an instant, written with an offset
    // other than the user's. First each period edge, as the day and as the minutes either side of
    // its local midnight; then random ones.
    std::vector<std::pair<std::string, int64_t>> dates;
    auto add_day = [&](date::local_days day) {
      const int64_t midnight =
          tz->to_sys(day, date::choose::earliest).time_since_epoch().count() * 1'000'000;
      dates.emplace_back(date::format("%F", day), midnight);
      return midnight;
    };
    auto add_instant = [&](int64_t at) { dates.emplace_back(FormatRfc3339(at, -7200), at); };
    using date::year;
    for (const date::year_month_day edge :
         {year{2024} / 1 / 1, year{2024} / 2 / 29, year{2024} / 3 / 1, year{2024} / 4 / 1,
          year{2024} / 7 / 1, year{2024} / 10 / 1, year{2025} / 1 / 1, year{2025} / 4 / 1}) {
      const int64_t midnight = add_day(date::local_days{edge});
      add_instant(midnight - 60'000'000);
      add_instant(midnight + 60'000'000);
    }
    for (int r = 0; r < 120; ++r) {
      const int64_t at =
          lo +
          static_cast<int64_t>(rng() % static_cast<uint64_t>((hi - lo) / 60'000'000)) * 60'000'000;
      if (r % 2 == 0) {
        add_day(date::floor<date::days>(
            tz->to_local(date::sys_seconds{std::chrono::seconds{at / 1'000'000}})));
      } else {
        add_instant(at);
      }
    }
    std::set<int64_t> instants;  // distinct, so that "latest" has one answer
    for (const auto& [report_date, at] : dates) {
      if (!instants.insert(at).second) continue;
      json report = {{"report_date", report_date}, {"tests", json::array()}};
      for (const Test& t : tests) {
        if (rng() % 3 == 0) continue;
        // Quarter steps never land on a bound, so out of range is unambiguous.
        const double value = 20 + static_cast<double>(rng() % 400) / 4 + 0.125;
        json test = {{"name", t.name}, {"value", value}, {"unit", t.unit}};
        if (*t.range) test["reference_range"] = t.range;
        report["tests"].push_back(test);
        for (Period p : {Period::kDaily, Period::kMonthly, Period::kQuarterly, Period::kYearly}) {
          Stats& e = expected[p][t.name][key_of(p, local_day(at))];
          ++e.count;
          e.out_of_range += value < t.low || value > t.high;
          e.sum += value;
          e.min = std::min(e.min, value);
          e.max = std::max(e.max, value);
          if (at > e.latest_at) {
            e.latest_at = at;
            e.latest = value;
          }
        }
      }
      if (report["tests"].empty()) continue;
      Ingest(*db_, user, report);
    }
    auto run = ProcessPendingLabs(*db_, clock_, user);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    ASSERT_EQ(run->failed, 0);
    for (Period p : {Period::kDaily, Period::kMonthly, Period::kQuarterly, Period::kYearly}) {
      auto got = QueryLabAggregates(*db_, user, p, "");
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(got->tests.size(), std::size(tests)) << zone;
      for (const auto& t : got->tests) {
        const auto& want = expected[p][t.test_name];
        ASSERT_EQ(t.buckets.size(), want.size()) << zone << " " << t.test_name;
        for (const auto& b : t.buckets) {
          const int64_t key = key_of(p, local_day(b.start_us));
          ASSERT_TRUE(want.count(key)) << zone << " " << t.test_name << " " << b.start_us;
          const Stats& e = want.at(key);
          // The bucket runs from its period's first local midnight to the next period's.
          EXPECT_NE(key_of(p, local_day(b.start_us) - date::days{1}), key) << zone;
          EXPECT_EQ(key_of(p, local_day(b.end_us)), key + 1) << zone;
          EXPECT_EQ(key_of(p, local_day(b.end_us - 1)), key) << zone;
          EXPECT_EQ(b.result_count, e.count) << zone << " " << t.test_name;
          EXPECT_EQ(b.out_of_range_count, e.out_of_range) << zone << " " << t.test_name;
          EXPECT_NEAR(*b.avg, e.sum / static_cast<double>(e.count), 1e-9);
          EXPECT_DOUBLE_EQ(*b.min, e.min);
          EXPECT_DOUBLE_EQ(*b.max, e.max);
          EXPECT_DOUBLE_EQ(*b.latest_value, e.latest);
          EXPECT_EQ(b.latest_at_us, e.latest_at);
        }
      }
    }
  }
}

// A coder standing in for the mapping engine: everything is "Vitamin X".
class FixedCoder final : public LabCoder {
 public:
  LabCoding Code(std::string_view, std::string_view, std::string_view) const override {
    return {"1989-3", "Vitamin D", "vitamins_minerals", 0.5, CodingStatus::kAmbiguous, "", ""};
  }
};

TEST_F(LabsPipelineTest, UsesTheInjectedCoderAndFailsBadStoredRowsAlone) {
  int64_t user = NewUser();
  Ingest(*db_, user, Report("2025-05-05"));
  ASSERT_TRUE(
      db_->Exec("UPDATE lab_report_raw SET reference_range = 'garbage' WHERE position = 0").ok());
  FixedCoder coder;
  auto stats = ProcessPendingLabs(*db_, clock_, user, coder);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->failed, 1);
  EXPECT_EQ(stats->processed, 4);
  auto results = QueryLabResults(*db_, user, 0, At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->results.size(), 4u);
  for (const auto& r : results->results) EXPECT_EQ(r.loinc_code, "1989-3");
  auto status = QueryUserStatus(*db_, user);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->ToJson()["labs"]["failed"], 1);
}

}  // namespace
}  // namespace mlw::pipelines::labs
