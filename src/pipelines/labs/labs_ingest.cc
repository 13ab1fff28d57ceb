#include "pipelines/labs/labs_ingest.h"

#include <optional>
#include <set>

#include "core/time_bucket.h"
#include "core/timestamp.h"
#include "pipelines/bulk_insert.h"
#include "pipelines/labs/lab_result.h"
#include "pipelines/users.h"

namespace mlw::pipelines::labs {
namespace {

struct TestRow {
  std::string name, value, unit, range, flag, specimen;
};

std::optional<std::string> Str(const nlohmann::json& obj, const char* key, size_t index,
                               size_t max_len, std::vector<RowError>* errors) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    errors->push_back({index, key, "must be a string"});
    return std::nullopt;
  }
  std::string s = it->get<std::string>();
  if (s.size() > max_len) {
    errors->push_back({index, key, "is longer than " + std::to_string(max_len) + " characters"});
    return std::nullopt;
  }
  return s;
}

std::vector<TestRow> ParseTests(const nlohmann::json& tests, std::vector<RowError>* errors) {
  static const std::set<std::string> kFields = {"name", "value",   "unit", "reference_range",
                                                "flag", "specimen"};
  std::vector<TestRow> out;
  for (size_t i = 0; i < tests.size(); ++i) {
    const auto& t = tests[i];
    if (!t.is_object()) {
      errors->push_back({i, "", "test must be an object"});
      continue;
    }
    const size_t before = errors->size();
    for (const auto& [key, _] : t.items()) {
      if (!kFields.count(key)) errors->push_back({i, key, "unknown field"});
    }
    TestRow row;
    auto name = Str(t, "name", i, 200, errors);
    if (!name || name->find_first_not_of(" \t") == std::string::npos) {
      if (!t.contains("name") || name) errors->push_back({i, "name", "is required"});
    } else {
      row.name = *name;
    }
    auto v = t.find("value");
    if (v == t.end() || v->is_null()) {
      errors->push_back({i, "value", "is required"});
    } else if (v->is_number()) {
      row.value = v->dump();
    } else if (v->is_string()) {
      row.value = v->get<std::string>();
    } else {
      errors->push_back({i, "value", "must be a number or a string"});
    }
    if (!row.value.empty() || (v != t.end() && v->is_string())) {
      if (auto parsed = ParseLabValue(row.value); !parsed.ok()) {
        errors->push_back({i, "value", parsed.status().message()});
      }
    }
    row.unit = Str(t, "unit", i, 50, errors).value_or("");
    row.specimen = Str(t, "specimen", i, 100, errors).value_or("");
    if (auto range = Str(t, "reference_range", i, 100, errors)) {
      row.range = *range;
      if (auto r = ParseReferenceRange(row.range); !r.ok()) {
        errors->push_back({i, "reference_range", r.status().message()});
      }
    }
    if (auto flag = Str(t, "flag", i, 30, errors)) {
      row.flag = *flag;
      if (!row.flag.empty() && !NormalizeFlag(row.flag)) {
        errors->push_back({i, "flag", "must be one of H, L, N, A, high, low, normal, abnormal"});
      }
    }
    if (errors->size() == before) out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

Result<LabIngestReceipt> IngestLabReport(store::Database& db, const Clock& clock, int64_t user_id,
                                         const nlohmann::json& report, const InTxHook& in_tx,
                                         std::vector<RowError>* rejected,
                                         const IngestOptions& options) {
  rejected->clear();
  if (!report.is_object()) return InvalidArgument("a lab report must be a JSON object");
  for (const auto& [key, _] : report.items()) {
    if (key != "report_date" && key != "lab_name" && key != "tests") {
      rejected->push_back({0, key, "unknown field"});
    }
  }
  auto tests = report.find("tests");
  if (tests == report.end() || !tests->is_array() || tests->empty()) {
    rejected->push_back({0, "tests", "must be a non-empty array of tests"});
  } else if (tests->size() > options.max_tests) {
    return Status(StatusCode::kResourceExhausted,
                  "report has " + std::to_string(tests->size()) + " tests; the limit is " +
                      std::to_string(options.max_tests),
                  "BatchTooLarge");
  }
  auto lab_name = Str(report, "lab_name", 0, 200, rejected);
  auto date_text = Str(report, "report_date", 0, 64, rejected);
  std::optional<int64_t> date_us;
  std::optional<int64_t> date_days;
  if (!date_text) {
    if (!report.contains("report_date")) rejected->push_back({0, "report_date", "is required"});
  } else if (date_text->size() == 10) {
    auto d = ParseIsoDate(*date_text);
    if (!d.ok())
      rejected->push_back({0, "report_date", d.status().message()});
    else
      date_days = *d;
  } else {
    auto t = ParseRfc3339(*date_text);
    if (!t.ok())
      rejected->push_back({0, "report_date", t.status().message()});
    else
      date_us = t->micros;
  }
  std::vector<TestRow> rows;
  if (tests != report.end() && tests->is_array()) rows = ParseTests(*tests, rejected);
  const size_t n = tests != report.end() && tests->is_array() ? tests->size() : 0;
  if (!rejected->empty()) return ValidationFailed(*rejected, n, "tests");

  const int64_t now = clock.NowMicros();
  LabIngestReceipt receipt;
  Status st = db.InTransaction([&](store::Connection& conn) -> Status {
    MLW_ASSIGN_OR_RETURN(TimeZone zone, UserZone(conn, user_id));
    int64_t report_us = date_us ? *date_us : zone.LocalSecondsToMicros(*date_days * 86400);
    if (report_us > now + options.max_future_us) {
      rejected->push_back({0, "report_date", "is in the future"});
      return ValidationFailed(*rejected, n, "tests");
    }
    MLW_ASSIGN_OR_RETURN(
        store::Rows ids,
        conn.Query("INSERT INTO lab_reports (user_id, report_date_us, lab_name, created_at_us) "
                   "VALUES ($1, $2, $3, $4) RETURNING id",
                   {user_id, report_us, lab_name ? store::Value(*lab_name) : store::Value(), now}));
    receipt.report_id = ids.at(0).Int(0);
    static const BulkInsert kInsert(
        "lab_report_raw",
        {"report_id", "user_id", "position", "report_date_us", "test_name", "value_text", "unit",
         "reference_range", "flag", "specimen", "created_at_us"});
    auto opt = [](const std::string& s) { return s.empty() ? store::Value() : store::Value(s); };
    MLW_RETURN_IF_ERROR(
        kInsert.Run(conn, rows.size(), [&](size_t i, std::vector<store::Value>& out) {
          const TestRow& r = rows[i];
          out.emplace_back(receipt.report_id);
          out.emplace_back(user_id);
          out.emplace_back(static_cast<int64_t>(i));
          out.emplace_back(report_us);
          out.emplace_back(r.name);
          out.emplace_back(r.value);
          out.emplace_back(opt(r.unit));
          out.emplace_back(opt(r.range));
          out.emplace_back(opt(r.flag));
          out.emplace_back(opt(r.specimen));
          out.emplace_back(now);
        }));
    receipt.tests = static_cast<int64_t>(rows.size());
    if (in_tx) MLW_RETURN_IF_ERROR(in_tx(conn));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return receipt;
}

}  // namespace mlw::pipelines::labs
