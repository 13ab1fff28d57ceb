#include "pipelines/nutrition/nutrition_ingest.h"

#include "pipelines/bulk_insert.h"
#include "pipelines/nutrition/nutrition_entry.h"
#include "pipelines/users.h"

namespace mlw::pipelines::nutrition {

Result<int64_t> IngestNutrition(store::Database& db, const Clock& clock, int64_t user_id,
                                const nlohmann::json& entries, const InTxHook& in_tx,
                                std::vector<RowError>* rejected, const IngestOptions& options) {
  rejected->clear();
  const size_t n = entries.is_array() ? entries.size() : 1;
  if (entries.is_array() && entries.empty()) {
    return InvalidArgument("no entries in the batch", "ValidationFailed");
  }
  if (n > options.max_entries) {
    return Status(StatusCode::kResourceExhausted,
                  "batch of " + std::to_string(n) + " entries exceeds the limit of " +
                      std::to_string(options.max_entries),
                  "BatchTooLarge");
  }
  const int64_t now = clock.NowMicros();
  auto parsed = ParseNutritionEntries(entries, now, options.max_future_us, rejected);
  if (!rejected->empty()) return ValidationFailed(*rejected, n, "entries");
  static const BulkInsert kInsert("nutrition_raw_data",
                                  {"user_id", "eaten_at_us", "utc_offset_s", "meal_type", "food",
                                   "nutrients", "created_at_us"});
  Status st = db.InTransaction([&](store::Connection& conn) -> Status {
    MLW_RETURN_IF_ERROR(GetUser(conn, user_id).status());
    MLW_RETURN_IF_ERROR(
        kInsert.Run(conn, parsed.size(), [&](size_t i, std::vector<store::Value>& out) {
          const NutritionEntry& e = parsed[i];
          out.emplace_back(user_id);
          out.emplace_back(e.eaten_at_us);
          out.emplace_back(int64_t{e.utc_offset_s});
          out.emplace_back(e.meal_type);
          out.emplace_back(e.food);
          out.emplace_back(NutrientsToJson(e.nutrients));
          out.emplace_back(now);
        }));
    if (in_tx) MLW_RETURN_IF_ERROR(in_tx(conn));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return static_cast<int64_t>(parsed.size());
}

}  // namespace mlw::pipelines::nutrition
