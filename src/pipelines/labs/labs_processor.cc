#include "pipelines/labs/labs_processor.h"

#include <algorithm>
#include <map>

#include "pipelines/bulk_insert.h"
#include "pipelines/labs/lab_result.h"
#include "pipelines/labs/lab_units.h"
#include "pipelines/labs/labs_rollup.h"
#include "pipelines/labs/rule_lab_coder.h"
#include "pipelines/lease.h"
#include "pipelines/users.h"

namespace mlw::pipelines::labs {
namespace {

constexpr Period kPeriods[] = {Period::kDaily, Period::kMonthly, Period::kQuarterly,
                               Period::kYearly};

const char* AggregateTable(Period p) {
  switch (p) {
    case Period::kDaily:
      return "lab_report_daily";
    case Period::kMonthly:
      return "lab_report_monthly";
    case Period::kQuarterly:
      return "lab_report_quarterly";
    default:
      return "lab_report_yearly";
  }
}

const BulkInsert& Upsert(Period p) {
  auto make = [](Period q) {
    return BulkInsert(
        AggregateTable(q),
        {"user_id", "test_key", "period_start_us", "period_end_us", "loinc_code", "test_name",
         "unit", "result_count", "numeric_count", "average", "minimum", "maximum", "latest_value",
         "latest_text", "latest_at_us", "out_of_range_count", "updated_at_us"},
        "ON CONFLICT (user_id, test_key, period_start_us) DO UPDATE SET "
        "period_end_us = excluded.period_end_us, loinc_code = excluded.loinc_code, "
        "test_name = excluded.test_name, unit = excluded.unit, "
        "result_count = excluded.result_count, numeric_count = excluded.numeric_count, "
        "average = excluded.average, minimum = excluded.minimum, "
        "maximum = excluded.maximum, latest_value = excluded.latest_value, "
        "latest_text = excluded.latest_text, latest_at_us = excluded.latest_at_us, "
        "out_of_range_count = excluded.out_of_range_count, "
        "updated_at_us = excluded.updated_at_us");
  };
  static const BulkInsert upserts[] = {make(Period::kDaily), make(Period::kMonthly),
                                       make(Period::kQuarterly), make(Period::kYearly)};
  switch (p) {
    case Period::kDaily:
      return upserts[0];
    case Period::kMonthly:
      return upserts[1];
    case Period::kQuarterly:
      return upserts[2];
    default:
      return upserts[3];
  }
}

const BulkInsert& CategorizedInsert() {
  static const BulkInsert insert(
      "lab_report_categorized",
      {"raw_id",
       "user_id",
       "report_id",
       "report_date_us",
       "test_name",
       "test_key",
       "loinc_code",
       "loinc_name",
       "category",
       "confidence",
       "coding_status",
       "value_text",
       "value_num",
       "comparator",
       "unit",
       "canonical_value",
       "canonical_unit",
       "reference_range",
       "ref_low",
       "ref_low_inclusive",
       "ref_high",
       "ref_high_inclusive",
       "ref_qualitative",
       "flag",
       "flag_source",
       "out_of_range",
       "categorized_at_us"},
      "ON CONFLICT (raw_id) DO UPDATE SET test_key = excluded.test_key, "
      "loinc_code = excluded.loinc_code, loinc_name = excluded.loinc_name, "
      "category = excluded.category, confidence = excluded.confidence, "
      "coding_status = excluded.coding_status, value_num = excluded.value_num, "
      "comparator = excluded.comparator, canonical_value = excluded.canonical_value, "
      "canonical_unit = excluded.canonical_unit, ref_low = excluded.ref_low, "
      "ref_low_inclusive = excluded.ref_low_inclusive, ref_high = excluded.ref_high, "
      "ref_high_inclusive = excluded.ref_high_inclusive, "
      "ref_qualitative = excluded.ref_qualitative, flag = excluded.flag, "
      "flag_source = excluded.flag_source, out_of_range = excluded.out_of_range, "
      "categorized_at_us = excluded.categorized_at_us");
  return insert;
}

store::Value Opt(const std::optional<double>& v) { return v ? store::Value(*v) : store::Value(); }
store::Value Opt(const std::string& s) { return s.empty() ? store::Value() : store::Value(s); }

struct Categorized {
  int64_t raw_id = 0, report_id = 0, report_date_us = 0;
  std::string test_name, test_key, unit, range_text, flag, flag_source, canonical_unit;
  LabCoding coding;
  LabValue value;
  ReferenceRange range;
  std::optional<double> canonical_value;
  bool out_of_range = false;
};

// Codes, parses and normalizes one claimed test; an error means the row fails.
Result<Categorized> Categorize(const store::Row& r, const LabCoder& coder) {
  Categorized c;
  c.raw_id = r.Int(0);
  c.report_id = r.Int(1);
  c.report_date_us = r.Int(2);
  c.test_name = r.Text(3);
  c.unit = r.IsNull(5) ? "" : r.Text(5);
  c.range_text = r.IsNull(6) ? "" : r.Text(6);
  const std::string given = r.IsNull(7) ? "" : r.Text(7);
  const std::string specimen = r.IsNull(8) ? "" : r.Text(8);
  MLW_ASSIGN_OR_RETURN(c.value, ParseLabValue(r.Text(4)));
  if (!c.range_text.empty()) {
    MLW_ASSIGN_OR_RETURN(c.range, ParseReferenceRange(c.range_text));
  }
  c.coding = coder.Code(c.test_name, c.unit, specimen);
  c.test_key =
      c.coding.loinc_code.empty() ? "name:" + NormalizeTestName(c.test_name) : c.coding.loinc_code;
  // A range printed with its own unit ("0.4-4.0 mIU/L") is in the value's unit unless it says
  // otherwise; different units are compared through the test's canonical unit, and when that is
  // not possible no flag is derived rather than a wrong one.
  const std::string range_unit = c.range.unit.empty() ? c.unit : c.range.unit;
  const bool same_unit = NormalizeLabUnit(range_unit) == NormalizeLabUnit(c.unit);
  auto canonical = [&](const std::optional<double>& v,
                       const std::string& unit) -> std::optional<double> {
    if (!v) return std::nullopt;
    return ToCanonicalUnit(c.coding, *v, unit);
  };
  if (!given.empty()) {
    auto f = NormalizeFlag(given);
    if (!f) return InvalidArgument("flag '" + given + "' is not recognized");
    c.flag = *f;
    c.flag_source = "given";
  } else {
    std::optional<std::string> f;
    if (same_unit) {
      f = DeriveFlag(c.value, c.range);
    } else {
      LabValue value = c.value;
      ReferenceRange range = c.range;
      value.number = canonical(c.value.number, c.unit);
      range.low = canonical(c.range.low, range_unit);
      range.high = canonical(c.range.high, range_unit);
      const bool converted =
          value.number && (range.low || !c.range.low) && (range.high || !c.range.high);
      if (converted) f = DeriveFlag(value, range);
    }
    c.flag = f.value_or("");
    c.flag_source = f ? "derived" : "none";
  }
  c.out_of_range = c.flag == "low" || c.flag == "high" || c.flag == "abnormal";
  c.canonical_value = c.value.number;
  c.canonical_unit = c.unit;
  if (auto v = canonical(c.value.number, c.unit)) {
    c.canonical_value = v;
    c.canonical_unit = CanonicalUnitFor(c.coding);
    c.range.low = canonical(c.range.low, range_unit);
    c.range.high = canonical(c.range.high, range_unit);
  }
  return c;
}

struct KeySpan {
  std::string loinc_code;
  int64_t min_date = INT64_MAX, max_date = INT64_MIN;
};

}  // namespace

Result<ProcessStats> ProcessPendingLabs(store::Database& db, const Clock& clock, int64_t user_id,
                                        const ProcessOptions& options) {
  static const RuleLabCoder kCoder;
  return ProcessPendingLabs(db, clock, user_id, kCoder, options);
}

Result<ProcessStats> ProcessPendingLabs(store::Database& db, const Clock& clock, int64_t user_id,
                                        const LabCoder& coder, const ProcessOptions& options) {
  MLW_ASSIGN_OR_RETURN(TimeZone zone, UserZone(db, user_id));
  const std::string owner = options.owner.empty() ? NewLeaseOwner() : options.owner;
  ProcessStats stats;
  for (;;) {
    store::Rows rows;
    MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
      if (options.before_claim) MLW_RETURN_IF_ERROR(options.before_claim(conn));
      const int64_t now = clock.NowMicros();
      MLW_ASSIGN_OR_RETURN(
          rows, ClaimRows(conn, RawTable::kLabs,
                          "id, report_id, report_date_us, test_name, value_text, unit, "
                          "reference_range, flag, specimen",
                          user_id, owner, now, now + options.lease_micros, options.rows_per_claim));
      return Status::Ok();
    }));
    if (rows.empty()) break;
    stats.claimed += static_cast<int64_t>(rows.size());

    std::vector<Categorized> good;
    std::vector<std::pair<int64_t, std::string>> failed;
    std::map<std::string, KeySpan> spans;
    for (const auto& r : rows) {
      auto c = Categorize(r, coder);
      if (!c.ok()) {
        failed.emplace_back(r.Int(0), c.status().message());
        continue;
      }
      KeySpan& sp = spans[c->test_key];
      sp.loinc_code = c->coding.loinc_code;
      sp.min_date = std::min(sp.min_date, c->report_date_us);
      sp.max_date = std::max(sp.max_date, c->report_date_us);
      good.push_back(std::move(c).value());
    }
    MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
      const int64_t now = clock.NowMicros();
      for (const auto& [id, error] : failed) {
        MLW_RETURN_IF_ERROR(MarkFailed(conn, RawTable::kLabs, id, owner, error, now));
      }
      return CategorizedInsert().Run(
          conn, good.size(), [&](size_t i, std::vector<store::Value>& out) {
            const Categorized& c = good[i];
            out.emplace_back(c.raw_id);
            out.emplace_back(user_id);
            out.emplace_back(c.report_id);
            out.emplace_back(c.report_date_us);
            out.emplace_back(c.test_name);
            out.emplace_back(c.test_key);
            out.emplace_back(Opt(c.coding.loinc_code));
            out.emplace_back(Opt(c.coding.loinc_name));
            out.emplace_back(c.coding.category);
            out.emplace_back(c.coding.confidence);
            out.emplace_back(std::string(CodingStatusName(c.coding.status)));
            out.emplace_back(c.value.text);
            out.emplace_back(Opt(c.value.number));
            out.emplace_back(Opt(c.value.comparator));
            out.emplace_back(Opt(c.unit));
            out.emplace_back(Opt(c.canonical_value));
            out.emplace_back(Opt(c.canonical_unit));
            out.emplace_back(Opt(c.range_text));
            out.emplace_back(Opt(c.range.low));
            out.emplace_back(c.range.low ? store::Value(int64_t{c.range.low_inclusive})
                                         : store::Value());
            out.emplace_back(Opt(c.range.high));
            out.emplace_back(c.range.high ? store::Value(int64_t{c.range.high_inclusive})
                                          : store::Value());
            out.emplace_back(Opt(c.range.qualitative));
            out.emplace_back(Opt(c.flag));
            out.emplace_back(c.flag_source);
            out.emplace_back(int64_t{c.out_of_range});
            out.emplace_back(now);
          });
    }));
    stats.failed += static_cast<int64_t>(failed.size());

    MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
      const int64_t now = clock.NowMicros();
      Bucketer years(zone, Period::kYearly);
      for (const auto& [key, sp] : spans) {
        // Every other period nests inside years, so whole years cover all affected buckets.
        const int64_t lo = years.BucketOf(sp.min_date).start_us;
        const int64_t hi = years.BucketOf(sp.max_date).end_us;
        MLW_ASSIGN_OR_RETURN(
            store::Rows rows_in_range,
            conn.Query("SELECT raw_id, report_date_us, test_name, canonical_value, "
                       "canonical_unit, value_text, out_of_range FROM lab_report_categorized "
                       "WHERE user_id = $1 AND test_key = $2 AND report_date_us >= $3 AND "
                       "report_date_us < $4",
                       {user_id, key, lo, hi}));
        std::vector<LabPoint> points;
        for (const auto& r : rows_in_range) {
          LabPoint p{r.Int(0),  r.Int(1),     r.Text(2), std::nullopt, r.IsNull(4) ? "" : r.Text(4),
                     r.Text(5), r.Int(6) != 0};
          if (!r.IsNull(3)) p.value = r.Real(3);
          points.push_back(std::move(p));
        }
        for (Period p : kPeriods) {
          Bucketer b(zone, p);
          auto buckets = RollupLabs(points, b, b.BucketOf(sp.min_date).start_us,
                                    b.BucketOf(sp.max_date).end_us);
          MLW_RETURN_IF_ERROR(
              Upsert(p).Run(conn, buckets.size(), [&](size_t k, std::vector<store::Value>& out) {
                const LabBucket& a = buckets[k];
                out.emplace_back(user_id);
                out.emplace_back(key);
                out.emplace_back(a.start_us);
                out.emplace_back(a.end_us);
                out.emplace_back(Opt(sp.loinc_code));
                out.emplace_back(a.test_name);
                out.emplace_back(Opt(a.unit));
                out.emplace_back(a.result_count);
                out.emplace_back(a.numeric_count);
                out.emplace_back(Opt(a.avg));
                out.emplace_back(Opt(a.min));
                out.emplace_back(Opt(a.max));
                out.emplace_back(Opt(a.latest_value));
                out.emplace_back(a.latest_text);
                out.emplace_back(a.latest_at_us);
                out.emplace_back(a.out_of_range_count);
                out.emplace_back(now);
              }));
          stats.buckets_written += static_cast<int64_t>(buckets.size());
        }
      }
      MLW_ASSIGN_OR_RETURN(int64_t done,
                           MarkClaimedProcessed(conn, RawTable::kLabs, user_id, owner, now));
      stats.processed += done;
      return Status::Ok();
    }));
    if (static_cast<int64_t>(rows.size()) < options.rows_per_claim) break;
  }
  return stats;
}

}  // namespace mlw::pipelines::labs
