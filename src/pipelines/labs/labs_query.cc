#include "pipelines/labs/labs_query.h"

#include "pipelines/users.h"

namespace mlw::pipelines::labs {
namespace {

nlohmann::json J(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}
nlohmann::json J(const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); }
std::optional<double> D(const store::Row& r, size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional<double>(r.Real(i));
}
std::string S(const store::Row& r, size_t i) { return r.IsNull(i) ? "" : r.Text(i); }

TimeZone ZoneOrUtc(const std::string& name) {
  auto z = TimeZone::Find(name);
  return z.ok() ? *z : TimeZone::Utc();
}

}  // namespace

nlohmann::json LabResults::ToJson() const {
  TimeZone tz = ZoneOrUtc(timezone);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : results) {
    list.push_back({{"report_id", r.report_id},
                    {"report_date", tz.Format(r.report_date_us)},
                    {"lab_name", J(r.lab_name)},
                    {"test_name", r.test_name},
                    {"loinc_code", J(r.loinc_code)},
                    {"loinc_name", J(r.loinc_name)},
                    {"category", r.category},
                    {"confidence", r.confidence},
                    {"coding_status", r.coding_status},
                    {"value", J(r.value)},
                    {"value_text", r.value_text},
                    {"comparator", J(r.comparator)},
                    {"unit", J(r.unit)},
                    {"canonical_value", J(r.canonical_value)},
                    {"canonical_unit", J(r.canonical_unit)},
                    {"reference_range", J(r.reference_range)},
                    {"ref_low", J(r.ref_low)},
                    {"ref_high", J(r.ref_high)},
                    {"flag", J(r.flag)},
                    {"flag_source", r.flag_source},
                    {"out_of_range", r.out_of_range}});
  }
  return {{"timezone", timezone}, {"results", list}};
}

Result<LabResults> QueryLabResults(store::Database& db, int64_t user_id, int64_t from_us,
                                   int64_t to_us, int64_t limit) {
  MLW_ASSIGN_OR_RETURN(User user, GetUser(db, user_id));
  MLW_ASSIGN_OR_RETURN(
      store::Rows rows,
      db.Query("SELECT c.report_id, c.report_date_us, r.lab_name, c.test_name, c.loinc_code, "
               "c.loinc_name, c.category, c.confidence, c.coding_status, c.value_text, "
               "c.value_num, c.comparator, c.unit, c.canonical_value, c.canonical_unit, "
               "c.reference_range, c.ref_low, c.ref_high, c.flag, c.flag_source, c.out_of_range "
               "FROM lab_report_categorized c JOIN lab_reports r ON r.id = c.report_id "
               "WHERE c.user_id = $1 AND c.report_date_us >= $2 AND c.report_date_us < $3 "
               "ORDER BY c.report_date_us DESC, c.raw_id LIMIT $4",
               {user_id, from_us, to_us, limit}));
  LabResults out{user.timezone, {}};
  for (const auto& r : rows) {
    LabResult x;
    x.report_id = r.Int(0);
    x.report_date_us = r.Int(1);
    x.lab_name = S(r, 2);
    x.test_name = r.Text(3);
    x.loinc_code = S(r, 4);
    x.loinc_name = S(r, 5);
    x.category = r.Text(6);
    x.confidence = r.Real(7);
    x.coding_status = r.Text(8);
    x.value_text = r.Text(9);
    x.value = D(r, 10);
    x.comparator = S(r, 11);
    x.unit = S(r, 12);
    x.canonical_value = D(r, 13);
    x.canonical_unit = S(r, 14);
    x.reference_range = S(r, 15);
    x.ref_low = D(r, 16);
    x.ref_high = D(r, 17);
    x.flag = S(r, 18);
    x.flag_source = r.Text(19);
    x.out_of_range = r.Int(20) != 0;
    out.results.push_back(std::move(x));
  }
  return out;
}

nlohmann::json LabAggregates::ToJson() const {
  TimeZone tz = ZoneOrUtc(timezone);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : tests) {
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& b : t.buckets) {
      buckets.push_back({{"start", tz.Format(b.start_us)},
                         {"end", tz.Format(b.end_us)},
                         {"count", b.result_count},
                         {"numeric_count", b.numeric_count},
                         {"avg", J(b.avg)},
                         {"min", J(b.min)},
                         {"max", J(b.max)},
                         {"latest", J(b.latest_value)},
                         {"latest_text", b.latest_text},
                         {"latest_at", tz.Format(b.latest_at_us)},
                         {"out_of_range_count", b.out_of_range_count}});
    }
    list.push_back({{"test_key", t.test_key},
                    {"loinc_code", J(t.loinc_code)},
                    {"test_name", t.test_name},
                    {"unit", J(t.unit)},
                    {"buckets", buckets}});
  }
  return {{"period", PeriodName(period)}, {"timezone", timezone}, {"tests", list}};
}

Result<LabAggregates> QueryLabAggregates(store::Database& db, int64_t user_id, Period period,
                                         const std::string& loinc, int64_t from_us, int64_t to_us,
                                         int64_t limit) {
  std::string table;
  switch (period) {
    case Period::kDaily:
      table = "lab_report_daily";
      break;
    case Period::kMonthly:
      table = "lab_report_monthly";
      break;
    case Period::kQuarterly:
      table = "lab_report_quarterly";
      break;
    case Period::kYearly:
      table = "lab_report_yearly";
      break;
    default:
      return InvalidArgument(std::string("labs have no ") + PeriodName(period) +
                             " aggregates; use daily, monthly, quarterly or yearly");
  }
  MLW_ASSIGN_OR_RETURN(User user, GetUser(db, user_id));
  const std::string columns =
      "SELECT test_key, loinc_code, test_name, unit, period_start_us, period_end_us, "
      "result_count, numeric_count, average, minimum, maximum, latest_value, latest_text, "
      "latest_at_us, out_of_range_count FROM " +
      table;
  store::Rows rows;
  if (loinc.empty()) {
    MLW_ASSIGN_OR_RETURN(rows, db.Query(columns + " WHERE user_id = $1 AND period_start_us >= $2 "
                                                  "AND period_start_us < $3 ORDER BY test_key, "
                                                  "period_start_us LIMIT $4",
                                        {user_id, from_us, to_us, limit}));
  } else {
    MLW_ASSIGN_OR_RETURN(rows, db.Query(columns + " WHERE user_id = $1 AND test_key = $2 AND "
                                                  "period_start_us >= $3 AND period_start_us < $4 "
                                                  "ORDER BY period_start_us LIMIT $5",
                                        {user_id, loinc, from_us, to_us, limit}));
  }
  LabAggregates out{period, user.timezone, {}};
  for (const auto& r : rows) {
    if (out.tests.empty() || out.tests.back().test_key != r.Text(0)) {
      out.tests.push_back({r.Text(0), S(r, 1), r.Text(2), S(r, 3), {}});
    }
    LabTestAggregates& t = out.tests.back();
    t.test_name = r.Text(2);  // the latest bucket's name and unit win
    t.unit = S(r, 3);
    t.buckets.push_back({r.Int(4), r.Int(5), r.Int(6), r.Int(7), r.Int(14), D(r, 8), D(r, 9),
                         D(r, 10), D(r, 11), r.Text(12), r.Int(13)});
  }
  return out;
}

}  // namespace mlw::pipelines::labs
