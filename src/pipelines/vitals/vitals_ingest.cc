#include "pipelines/vitals/vitals_ingest.h"

#include "pipelines/bulk_insert.h"
#include "pipelines/users.h"

namespace mlw::pipelines::vitals {
namespace {

Status CheckSize(size_t n, const IngestOptions& options) {
  if (n == 0) return InvalidArgument("no samples in the batch", "ValidationFailed");
  if (n > options.max_samples) {
    return Status(StatusCode::kResourceExhausted,
                  "batch of " + std::to_string(n) + " samples exceeds the limit of " +
                      std::to_string(options.max_samples),
                  "BatchTooLarge");
  }
  return Status::Ok();
}

Result<IngestReceipt> Write(store::Database& db, int64_t now, int64_t user_id,
                            const std::vector<const VitalSample*>& samples, const InTxHook& in_tx) {
  static const BulkInsert kInsert(
      "vitals_raw_rows", {"user_id", "metric", "value", "value2", "unit", "stage", "start_us",
                          "end_us", "utc_offset_s", "source", "created_at_us"});
  IngestReceipt receipt;
  Status st = db.InTransaction([&](store::Connection& conn) -> Status {
    MLW_RETURN_IF_ERROR(GetUser(conn, user_id).status());
    auto opt = [](const std::optional<double>& v) -> store::Value {
      return v ? store::Value(*v) : store::Value();
    };
    auto text_or_null = [](const std::string& s) -> store::Value {
      return s.empty() ? store::Value() : store::Value(s);
    };
    MLW_RETURN_IF_ERROR(
        kInsert.Run(conn, samples.size(), [&](size_t i, std::vector<store::Value>& out) {
          const VitalSample& s = *samples[i];
          out.emplace_back(user_id);
          out.emplace_back(s.metric);
          out.emplace_back(opt(s.value));
          out.emplace_back(opt(s.value2));
          out.emplace_back(s.unit);
          out.emplace_back(text_or_null(s.stage));
          out.emplace_back(s.start_us);
          out.emplace_back(s.end_us);
          out.emplace_back(int64_t{s.utc_offset_s});
          out.emplace_back(text_or_null(s.source));
          out.emplace_back(now);
        }));
    receipt.accepted = static_cast<int64_t>(samples.size());
    if (in_tx) MLW_RETURN_IF_ERROR(in_tx(conn));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return receipt;
}

}  // namespace

Result<IngestReceipt> IngestVitals(store::Database& db, const Clock& clock, int64_t user_id,
                                   const nlohmann::json& samples, const InTxHook& in_tx,
                                   std::vector<RowError>* rejected, const IngestOptions& options) {
  rejected->clear();
  MLW_RETURN_IF_ERROR(CheckSize(samples.is_array() ? samples.size() : 1, options));
  auto parsed = ParseVitalSamples(samples, rejected);
  const int64_t now = clock.NowMicros();
  std::vector<const VitalSample*> good;
  good.reserve(parsed.size());
  for (const auto& [index, s] : parsed) {
    size_t before = rejected->size();
    (void)Categorize(s, index, rejected);
    CheckSampleTimes(s, index, now, options.max_future_us, rejected);
    if (rejected->size() == before) good.push_back(&s);
  }
  if (!rejected->empty()) {
    std::stable_sort(rejected->begin(), rejected->end(),
                     [](const RowError& a, const RowError& b) { return a.index < b.index; });
    return ValidationFailed(*rejected, samples.is_array() ? samples.size() : 1, "samples");
  }
  return Write(db, now, user_id, good, in_tx);
}

Result<IngestReceipt> IngestVitalSamples(store::Database& db, const Clock& clock, int64_t user_id,
                                         const std::vector<VitalSample>& samples,
                                         const InTxHook& in_tx, std::vector<RowError>* rejected,
                                         const IngestOptions& options) {
  rejected->clear();
  MLW_RETURN_IF_ERROR(CheckSize(samples.size(), options));
  const int64_t now = clock.NowMicros();
  std::vector<const VitalSample*> good;
  good.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    (void)Categorize(samples[i], i, rejected);
    CheckSampleTimes(samples[i], i, now, options.max_future_us, rejected);
    good.push_back(&samples[i]);
  }
  if (!rejected->empty()) return ValidationFailed(*rejected, samples.size(), "samples");
  return Write(db, now, user_id, good, in_tx);
}

}  // namespace mlw::pipelines::vitals
