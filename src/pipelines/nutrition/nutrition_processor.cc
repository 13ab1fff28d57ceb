#include "pipelines/nutrition/nutrition_processor.h"

#include <algorithm>

#include "pipelines/bulk_insert.h"
#include "pipelines/lease.h"
#include "pipelines/nutrition/nutrition_entry.h"
#include "pipelines/nutrition/nutrition_rollup.h"
#include "pipelines/users.h"

namespace mlw::pipelines::nutrition {
namespace {

constexpr Period kPeriods[] = {Period::kDaily, Period::kWeekly, Period::kMonthly};

const BulkInsert& Upsert(Period p) {
  auto make = [](const char* table) {
    return BulkInsert(
        table,
        {"user_id", "nutrient", "meal_type", "period_start_us", "period_end_us", "total",
         "entry_count", "days_logged", "daily_average", "updated_at_us"},
        "ON CONFLICT (user_id, nutrient, meal_type, period_start_us) DO UPDATE SET "
        "period_end_us = excluded.period_end_us, total = excluded.total, "
        "entry_count = excluded.entry_count, days_logged = excluded.days_logged, "
        "daily_average = excluded.daily_average, updated_at_us = excluded.updated_at_us");
  };
  static const BulkInsert daily = make("nutrition_daily_aggregates");
  static const BulkInsert weekly = make("nutrition_weekly_aggregates");
  static const BulkInsert monthly = make("nutrition_monthly_aggregates");
  return p == Period::kDaily ? daily : p == Period::kWeekly ? weekly : monthly;
}

std::string JoinErrors(const std::vector<RowError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += (out.empty() ? "" : "; ") + (e.field.empty() ? "" : e.field + ": ") + e.reason;
  }
  return out;
}

}  // namespace

Result<ProcessStats> ProcessPendingNutrition(store::Database& db, const Clock& clock,
                                             int64_t user_id, const ProcessOptions& options) {
  MLW_ASSIGN_OR_RETURN(TimeZone zone, UserZone(db, user_id));
  const std::string owner = options.owner.empty() ? NewLeaseOwner() : options.owner;
  ProcessStats stats;
  for (;;) {
    store::Rows rows;
    MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
      if (options.before_claim) MLW_RETURN_IF_ERROR(options.before_claim(conn));
      const int64_t now = clock.NowMicros();
      MLW_ASSIGN_OR_RETURN(
          rows, ClaimRows(conn, RawTable::kNutrition, "id, eaten_at_us, meal_type, food, nutrients",
                          user_id, owner, now, now + options.lease_micros, options.rows_per_claim));
      return Status::Ok();
    }));
    if (rows.empty()) break;
    stats.claimed += static_cast<int64_t>(rows.size());

    std::vector<std::pair<int64_t, std::string>> failed;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& r : rows) {
      NutritionEntry e{r.Int(1), 0, r.Text(2), r.Text(3), {}};
      std::vector<RowError> errors;
      if (!NutrientsFromJson(r.Text(4), &e.nutrients)) {
        errors.push_back({0, "nutrients", "stored nutrients are not a JSON object of numbers"});
      } else {
        ValidateEntry(e, 0, &errors);
      }
      if (!errors.empty()) {
        failed.emplace_back(r.Int(0), JoinErrors(errors));
        continue;
      }
      lo = std::min(lo, e.eaten_at_us);
      hi = std::max(hi, e.eaten_at_us);
    }

    MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
      const int64_t now = clock.NowMicros();
      for (const auto& [id, error] : failed) {
        MLW_RETURN_IF_ERROR(MarkFailed(conn, RawTable::kNutrition, id, owner, error, now));
      }
      if (lo <= hi) {
        int64_t from[3], to[3], load_lo = INT64_MAX, load_hi = INT64_MIN;
        for (int i = 0; i < 3; ++i) {
          Bucketer b(zone, kPeriods[i]);
          from[i] = b.BucketOf(lo).start_us;
          to[i] = b.BucketOf(hi).end_us;
          load_lo = std::min(load_lo, from[i]);
          load_hi = std::max(load_hi, to[i]);
        }
        // Every entry that counts: processed ones and this run's claimed (still valid) ones.
        MLW_ASSIGN_OR_RETURN(
            store::Rows all,
            conn.Query("SELECT eaten_at_us, meal_type, nutrients FROM nutrition_raw_data "
                       "WHERE user_id = $1 AND eaten_at_us >= $2 AND eaten_at_us < $3 AND "
                       "(status = 'processed' OR (status = 'processing' AND lease_owner = $4))",
                       {user_id, load_lo, load_hi, owner}));
        std::vector<EntryPoint> points;
        points.reserve(all.size());
        for (const auto& r : all) {
          EntryPoint p{r.Int(0), r.Text(1), {}};
          if (NutrientsFromJson(r.Text(2), &p.nutrients)) points.push_back(std::move(p));
        }
        Bucketer days(zone, Period::kDaily);
        for (int i = 0; i < 3; ++i) {
          Bucketer b(zone, kPeriods[i]);
          auto buckets = RollupNutrition(points, b, days, from[i], to[i]);
          struct Line {
            const NutritionBucket* bucket;
            const std::pair<std::string, std::string>* key;
            const NutrientTotal* total;
          };
          std::vector<Line> lines;
          for (const auto& nb : buckets) {
            for (const auto& [key, total] : nb.totals) lines.push_back({&nb, &key, &total});
          }
          MLW_RETURN_IF_ERROR(
              Upsert(kPeriods[i])
                  .Run(conn, lines.size(), [&](size_t k, std::vector<store::Value>& out) {
                    const Line& l = lines[k];
                    out.emplace_back(user_id);
                    out.emplace_back(l.key->first);
                    out.emplace_back(l.key->second);
                    out.emplace_back(l.bucket->start_us);
                    out.emplace_back(l.bucket->end_us);
                    out.emplace_back(l.total->total);
                    out.emplace_back(l.total->entry_count);
                    out.emplace_back(l.bucket->days_logged);
                    out.emplace_back(l.total->total / static_cast<double>(l.bucket->days_logged));
                    out.emplace_back(now);
                  }));
          stats.buckets_written += static_cast<int64_t>(buckets.size());
        }
      }
      MLW_ASSIGN_OR_RETURN(int64_t done,
                           MarkClaimedProcessed(conn, RawTable::kNutrition, user_id, owner, now));
      stats.processed += done;
      return Status::Ok();
    }));
    stats.failed += static_cast<int64_t>(failed.size());
    if (static_cast<int64_t>(rows.size()) < options.rows_per_claim) break;
  }
  return stats;
}

}  // namespace mlw::pipelines::nutrition
