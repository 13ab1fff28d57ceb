#include <date/tz.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "pipelines/lease.h"
#include "pipelines/nutrition/nutrition_ingest.h"
#include "pipelines/nutrition/nutrition_processor.h"
#include "pipelines/nutrition/nutrition_query.h"
#include "pipelines/test_fixture.h"
#include "store/fault_injecting_database.h"

namespace mlw::pipelines::nutrition {
namespace {

using nlohmann::json;
using testing::At;

json Entry(const char* when, const char* meal, double kcal, double protein = 10) {
  return {{"eaten_at", when},     {"meal_type", meal}, {"food", "oats"}, {"calories", kcal},
          {"protein_g", protein}, {"carbs_g", 30},     {"fat_g", 5}};
}

class NutritionPipelineTest : public testing::PipelineTest {
 protected:
  void Ingest(store::Database& db, int64_t user, const json& entries) {
    std::vector<RowError> rejected;
    auto r = IngestNutrition(db, clock_, user, entries, {}, &rejected);
    ASSERT_TRUE(r.ok()) << r.status().ToString() << RowErrorsToJson(rejected).dump();
  }
  std::vector<std::string> All(store::Database& db) {
    std::vector<std::string> out;
    for (const char* t : {"nutrition_daily_aggregates", "nutrition_weekly_aggregates",
                          "nutrition_monthly_aggregates"}) {
      auto part = Snapshot(db, t,
                           "user_id, nutrient, meal_type, period_start_us, period_end_us, total, "
                           "entry_count, days_logged, daily_average");
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
  json Week() {
    return json::array({Entry("2025-03-03T08:00:00+01:00", "breakfast", 400),
                        Entry("2025-03-03T13:00:00+01:00", "lunch", 700, 30),
                        Entry("2025-03-03T23:30:00+01:00", "snack", 200),
                        Entry("2025-03-05T08:00:00+01:00", "breakfast", 500)});
  }
};

TEST_F(NutritionPipelineTest, RejectsTheWholeBatchListingEveryBadEntry) {
  int64_t user = NewUser();
  json batch = Week();
  batch.push_back(Entry("2025-03-03T08:00:00Z", "brunch", 100));
  json negative = Entry("2025-03-03T08:00:00Z", "lunch", -1);
  negative["sodium_mg"] = "lots";
  batch.push_back(negative);
  json missing = {{"meal_type", "dinner"}, {"food", "soup"}, {"calories", 100}};
  batch.push_back(missing);
  batch.push_back(Entry("2027-01-01T00:00:00Z", "dinner", 100));
  json unknown = Entry("2025-03-03T08:00:00Z", "dinner", 100);
  unknown["vitamin_z_mg"] = 3;
  batch.push_back(unknown);
  std::vector<RowError> rejected;
  auto r = IngestNutrition(*db_, clock_, user, batch, {}, &rejected);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "ValidationFailed");
  std::set<size_t> bad;
  std::set<std::string> fields;
  for (const auto& e : rejected) {
    bad.insert(e.index);
    fields.insert(e.field);
  }
  EXPECT_EQ(bad, (std::set<size_t>{4, 5, 6, 7, 8}));
  for (const char* f :
       {"meal_type", "calories", "sodium_mg", "eaten_at", "protein_g", "vitamin_z_mg"}) {
    EXPECT_TRUE(fields.count(f)) << f << " in " << RowErrorsToJson(rejected).dump();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM nutrition_raw_data"), 0);
}

TEST_F(NutritionPipelineTest, DailyTotalsPerMealAndWeeklyAveragesOverLoggedDays) {
  int64_t user = NewUser("Europe/Paris");
  Ingest(*db_, user, Week());
  auto stats = ProcessPendingNutrition(*db_, clock_, user);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->processed, 4);
  auto daily = QueryNutritionAggregates(*db_, user, Period::kDaily, 0, At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(daily.ok()) << daily.status().ToString();
  ASSERT_EQ(daily->buckets.size(), 2u);
  const auto& monday = daily->buckets[0];
  EXPECT_EQ(monday.start_us, At("2025-03-03T00:00:00+01:00"));
  EXPECT_DOUBLE_EQ(monday.nutrients.at("calories").total, 1300);
  EXPECT_DOUBLE_EQ(monday.by_meal.at("lunch").at("protein_g").total, 30);
  EXPECT_EQ(monday.entries, 3);
  auto weekly =
      QueryNutritionAggregates(*db_, user, Period::kWeekly, 0, At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(weekly.ok());
  ASSERT_EQ(weekly->buckets.size(), 1u);
  EXPECT_EQ(weekly->buckets[0].days_logged, 2);
  EXPECT_DOUBLE_EQ(weekly->buckets[0].nutrients.at("calories").total, 1800);
  EXPECT_DOUBLE_EQ(weekly->buckets[0].nutrients.at("calories").daily_average, 900);
  json j = weekly->ToJson();
  EXPECT_EQ(j["buckets"][0]["start"], "2025-03-03T00:00:00+01:00");
  EXPECT_EQ(j["buckets"][0]["by_meal"]["breakfast"]["entries"], 2);
  EXPECT_EQ(QueryNutritionAggregates(*db_, user, Period::kHourly, 0, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(NutritionPipelineTest, ReprocessingAndCrashesConvergeToTheCleanResult) {
  store::testing::TempDir clean_dir;
  auto clean = store::testing::OpenMigrated(clean_dir);
  ASSERT_TRUE(CreateUser(*clean, clock_, "America/New_York").ok());
  Ingest(*clean, 1, Week());
  ASSERT_TRUE(ProcessPendingNutrition(*clean, clock_, 1).ok());

  int64_t user = NewUser("America/New_York");
  Ingest(*db_, user, Week());
  store::FaultInjectingDatabase faulty(*db_);
  faulty.FailCommit(2);  // the recompute-and-mark transaction dies
  ASSERT_FALSE(ProcessPendingNutrition(faulty, clock_, user).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM nutrition_raw_data WHERE status = 'processing'"), 4);
  EXPECT_EQ(ProcessPendingNutrition(*db_, clock_, user)->claimed, 0);  // lease still held
  clock_.AdvanceSeconds(301);
  ASSERT_TRUE(ProcessPendingNutrition(*db_, clock_, user).ok());
  EXPECT_EQ(All(*db_), All(*clean));
  // A redelivered trigger after a lost acknowledgement: the rows run again, nothing doubles.
  auto reopened = ReopenRows(*db_, RawTable::kNutrition, user, /*failed_only=*/false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ASSERT_GT(*reopened, 0);
  auto redo = ProcessPendingNutrition(*db_, clock_, user);
  ASSERT_TRUE(redo.ok());
  EXPECT_EQ(redo->processed, *reopened);
  EXPECT_EQ(All(*db_), All(*clean));
}

TEST_F(NutritionPipelineTest, RandomEntriesMatchAStraightforwardComputation) {
  for (const char* zone : {"Australia/Lord_Howe", "America/New_York", "Asia/Kolkata"}) {
    int64_t user = NewUser(zone);
    const date::time_zone* tz = date::locate_zone(zone);
    std::mt19937_64 rng(std::hash<std::string>{}(zone));
    const char* meals[] = {"breakfast", "lunch", "dinner", "snack"};
    json entries = json::array();
    std::map<int64_t, double> day_kcal;  // local day -> calories
    std::map<int64_t, std::set<int64_t>> month_days;
    std::map<int64_t, double> month_kcal;
    const int64_t lo = At("2024-01-15T00:00:00Z"), hi = At("2025-12-20T00:00:00Z");
    for (int i = 0; i < 300; ++i) {
      int64_t t =
          lo + static_cast<int64_t>(rng() % static_cast<uint64_t>((hi - lo) / 60000000)) * 60000000;
      double kcal = double(rng() % 1500);
      entries.push_back(Entry(FormatRfc3339(t, -7200).c_str(), meals[rng() % 4], kcal));
      auto local = tz->to_local(date::sys_seconds{std::chrono::seconds{t / 1000000}});
      auto ld = date::floor<date::days>(local);
      date::year_month_day ymd{ld};
      int64_t month = int(ymd.year()) * 12 + int(unsigned(ymd.month()));
      day_kcal[ld.time_since_epoch().count()] += kcal;
      month_days[month].insert(ld.time_since_epoch().count());
      month_kcal[month] += kcal;
    }
    Ingest(*db_, user, entries);
    ASSERT_TRUE(ProcessPendingNutrition(*db_, clock_, user).ok());
    auto daily = QueryNutritionAggregates(*db_, user, Period::kDaily, INT64_MIN, INT64_MAX, 100000);
    auto monthly = QueryNutritionAggregates(*db_, user, Period::kMonthly, INT64_MIN, INT64_MAX);
    ASSERT_TRUE(daily.ok() && monthly.ok());
    ASSERT_EQ(daily->buckets.size(), day_kcal.size()) << zone;
    for (const auto& b : daily->buckets) {
      auto ld = date::floor<date::days>(
          tz->to_local(date::sys_seconds{std::chrono::seconds{b.start_us / 1000000}}));
      EXPECT_NEAR(b.nutrients.at("calories").total, day_kcal.at(ld.time_since_epoch().count()),
                  1e-6);
    }
    ASSERT_EQ(monthly->buckets.size(), month_kcal.size()) << zone;
    for (const auto& b : monthly->buckets) {
      date::year_month_day ymd{date::floor<date::days>(
          tz->to_local(date::sys_seconds{std::chrono::seconds{b.start_us / 1000000}}))};
      int64_t month = int(ymd.year()) * 12 + int(unsigned(ymd.month()));
      EXPECT_EQ(b.days_logged, static_cast<int64_t>(month_days.at(month).size()));
      EXPECT_NEAR(b.nutrients.at("calories").daily_average,
                  month_kcal.at(month) / double(month_days.at(month).size()), 1e-6);
    }
  }
}

}  // namespace
}  // namespace mlw::pipelines::nutrition
