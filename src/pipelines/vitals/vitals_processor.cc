#include "pipelines/vitals/vitals_processor.h"

#include <algorithm>
#include <optional>

#include "core/time_bucket.h"
#include "pipelines/bulk_insert.h"
#include "pipelines/lease.h"
#include "pipelines/users.h"
#include "pipelines/vitals/vital_sample.h"
#include "pipelines/vitals/vitals_recompute.h"

namespace mlw::pipelines::vitals {
namespace {

const BulkInsert& CategorizedInsert() {
  static const BulkInsert insert(
      "vitals_raw_categorized",
      {"raw_id", "user_id", "series", "loinc_code", "value", "unit", "start_us", "end_us",
       "categorized_at_us"},
      "ON CONFLICT (user_id, series, start_us, raw_id) DO UPDATE SET "
      "loinc_code = excluded.loinc_code, value = excluded.value, unit = excluded.unit, "
      "end_us = excluded.end_us, categorized_at_us = excluded.categorized_at_us",
      {"user_id", "series", "loinc_code", "unit", "categorized_at_us"});
  return insert;
}

constexpr const char* kColumns = "id, metric, value, value2, unit, stage, start_us, end_us";

struct Categorized {
  int64_t raw_id;
  SeriesValue value;
};

std::string JoinErrors(const std::vector<RowError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += (out.empty() ? "" : "; ") + (e.field.empty() ? "" : e.field + ": ") + e.reason;
  }
  return out;
}

// How a round holds its rows until it finishes them: leased to `owner` by a claim (ClaimRows), or,
// with an empty owner, read inside the single-writer transaction that also finishes them
// (ReadOpenRows: no lease, since none could ever be seen).
struct Holder {
  std::string owner;
  OpenRowsRead read;  // when read: what ReadOpenRows saw
};

// A round's rows, categorized as they are read: the values of the good ones and the bad ones with
// their reasons.
struct RoundRows {
  int64_t taken = 0;
  std::vector<Categorized> good;
  std::vector<std::pair<int64_t, std::string>> failed;
  std::vector<RowError> errors;  // scratch, reused from row to row
};

// Categorizes one raw row, holding kColumns, into `round`.
void CategorizeRow(const store::RowView& r, RoundRows* round) {
  ++round->taken;
  SampleView s;
  s.metric = r.Text(1);
  if (!r.IsNull(2)) s.value = r.Real(2);
  if (!r.IsNull(3)) s.value2 = r.Real(3);
  s.unit = r.Text(4);
  if (!r.IsNull(5)) s.stage = r.Text(5);
  s.start_us = r.Int(6);
  s.end_us = r.Int(7);
  round->errors.clear();
  const SeriesValues values = Categorize(s, 0, &round->errors);
  const int64_t id = r.Int(0);
  if (!round->errors.empty()) {
    round->failed.emplace_back(id, JoinErrors(round->errors));
    return;
  }
  for (const auto& v : values) round->good.push_back({id, v});
}

// Leases one round of rows to `owner` in `conn`'s transaction, after the before_claim hook, and
// categorizes them into `round`; takes none when nothing is left.
Status Claim(store::Connection& conn, const Clock& clock, int64_t user_id,
             const ProcessOptions& options, const std::string& owner, RoundRows* round) {
  if (options.before_claim) MLW_RETURN_IF_ERROR(options.before_claim(conn));
  const int64_t now = clock.NowMicros();
  MLW_ASSIGN_OR_RETURN(store::Rows rows,
                       ClaimRows(conn, RawTable::kVitals, kColumns, user_id, owner, now,
                                 now + options.lease_micros, options.rows_per_claim));
  round->good.reserve(rows.size());
  for (const auto& row : rows) CategorizeRow(store::RowRef(row), round);
  return Status::Ok();
}

// Marks the round's bad rows failed, sorts its good values into key order and adds them to
// `touched`.
Status FinishCategorizing(store::Connection& conn, const Clock& clock, const Holder& holder,
                          RoundRows* round, TouchedBuckets* touched, ProcessStats* stats) {
  // Insert in the table's key order (user, series, start): appends instead of random page splits.
  std::sort(round->good.begin(), round->good.end(), [](const Categorized& a, const Categorized& b) {
    if (a.value.series != b.value.series) {
      return a.value.series->name_order < b.value.series->name_order;
    }
    return a.value.start_us < b.value.start_us;
  });
  for (const auto& c : round->good) touched->Add(c.raw_id, c.value);
  const int64_t now = clock.NowMicros();
  for (const auto& [id, error] : round->failed) {
    MLW_RETURN_IF_ERROR(holder.owner.empty()
                            ? MarkReadRowFailed(conn, RawTable::kVitals, id, error, now)
                            : MarkFailed(conn, RawTable::kVitals, id, holder.owner, error, now));
  }
  stats->failed += static_cast<int64_t>(round->failed.size());
  return Status::Ok();
}

// Upserts the round's series values into vitals_raw_categorized, one statement group per series
// so that the series' name, code and unit are bound once. REQUIRES: `good` sorted by series.
Status WriteCategorized(store::Connection& conn, const Clock& clock,
                        const std::vector<Categorized>& good, int64_t user_id) {
  const int64_t now = clock.NowMicros();
  for (size_t from = 0; from < good.size();) {
    const Series* series = good[from].value.series;
    const MetricDef* metric = good[from].value.metric;
    size_t to = from;
    while (to < good.size() && good[to].value.series == series && good[to].value.metric == metric) {
      ++to;
    }
    MLW_RETURN_IF_ERROR(CategorizedInsert().Run(
        conn, to - from,
        {user_id, std::string(series->name), std::string(series->loinc_code),
         std::string(metric->canonical_unit), now},
        [&](size_t i, std::vector<store::Value>& out) {
          const Categorized& c = good[from + i];
          out.emplace_back(c.raw_id);
          out.emplace_back(c.value.value);
          out.emplace_back(c.value.start_us);
          out.emplace_back(c.value.end_us);
        }));
    from = to;
  }
  return Status::Ok();
}

// Recomputes every bucket the round touched and marks the round's rows processed, but for the
// `failed` ones FinishCategorizing marked.
Status AggregateRound(store::Connection& conn, const Clock& clock, const TimeZone& zone,
                      const TouchedBuckets& touched, const Holder& holder, int64_t user_id,
                      int64_t failed, ProcessStats* stats) {
  const int64_t now = clock.NowMicros();
  MLW_RETURN_IF_ERROR(
      RecomputeTouchedBuckets(conn, user_id, zone, touched, now, &stats->buckets_written));
  if (holder.owner.empty()) {
    // Every row handed over is either failed already or processed here.
    MLW_RETURN_IF_ERROR(MarkReadRowsProcessed(conn, RawTable::kVitals, user_id, holder.read, now));
    stats->processed += holder.read.claimed - failed;
    return Status::Ok();
  }
  MLW_ASSIGN_OR_RETURN(int64_t done,
                       MarkClaimedProcessed(conn, RawTable::kVitals, user_id, holder.owner, now));
  stats->processed += done;
  return Status::Ok();
}

// One round in one transaction, when the user has at most single_transaction_rows rows open:
// claimed rows are categorized, their buckets recomputed and the rows marked processed before the
// single commit. Returns the number of rows taken, or nothing (having changed nothing) when more
// are open. Where the database has one writer at a time (SQLite) the rows are read, not leased:
// nobody else can take them before the commit. PostgreSQL's concurrent runs need the lease's row
// locks.
Result<std::optional<int64_t>> AtomicRound(store::Database& db, const Clock& clock,
                                           const TimeZone& zone, int64_t user_id,
                                           const ProcessOptions& options, const std::string& owner,
                                           ProcessStats* stats) {
  // `stats` may count a round whose commit then fails; the run returns that error, not the stats.
  std::optional<int64_t> taken;
  MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
    const int64_t limit = options.single_transaction_rows;
    Holder holder{db.dialect() == store::Dialect::kSqlite ? std::string() : owner, {}};
    RoundRows round;
    if (holder.owner.empty()) {
      // One read both counts the open rows and takes the claimable ones, categorizing them as it
      // goes (which writes nothing, so a round that stops here has changed nothing).
      MLW_ASSIGN_OR_RETURN(
          holder.read,
          ReadOpenRows(conn, RawTable::kVitals, kColumns, user_id, clock.NowMicros(), limit + 1,
                       options.rows_per_claim,
                       [&round](const store::RowView& row) { CategorizeRow(row, &round); }));
      if (holder.read.open > limit) return Status::Ok();
      if (options.before_claim) MLW_RETURN_IF_ERROR(options.before_claim(conn));
    } else {
      MLW_ASSIGN_OR_RETURN(int64_t open,
                           CountOpenRows(conn, RawTable::kVitals, user_id, limit + 1));
      if (open > limit) return Status::Ok();
      MLW_RETURN_IF_ERROR(Claim(conn, clock, user_id, options, holder.owner, &round));
    }
    taken = round.taken;
    stats->claimed += round.taken;
    TouchedBuckets touched(zone);
    MLW_RETURN_IF_ERROR(FinishCategorizing(conn, clock, holder, &round, &touched, stats));
    // The recompute holds the round's values, so they are written after it: its reads of
    // categorized rows then return only those stored before (usually none).
    MLW_RETURN_IF_ERROR(AggregateRound(conn, clock, zone, touched, holder, user_id,
                                       static_cast<int64_t>(round.failed.size()), stats));
    return WriteCategorized(conn, clock, round.good, user_id);
  }));
  return taken;
}

// One round in three transactions (claim, categorize, aggregate); returns the number of rows
// taken.
Result<int64_t> LeasedRound(store::Database& db, const Clock& clock, const TimeZone& zone,
                            int64_t user_id, const ProcessOptions& options,
                            const std::string& owner, ProcessStats* stats) {
  RoundRows round;
  Holder holder{owner, {}};
  MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
    return Claim(conn, clock, user_id, options, owner, &round);
  }));
  if (round.taken == 0) return 0;
  stats->claimed += round.taken;
  TouchedBuckets touched(zone);
  MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) {
    MLW_RETURN_IF_ERROR(FinishCategorizing(conn, clock, holder, &round, &touched, stats));
    return WriteCategorized(conn, clock, round.good, user_id);
  }));
  MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) {
    return AggregateRound(conn, clock, zone, touched, holder, user_id,
                          static_cast<int64_t>(round.failed.size()), stats);
  }));
  return round.taken;
}

}  // namespace

Result<ProcessStats> ProcessPendingVitals(store::Database& db, const Clock& clock, int64_t user_id,
                                          const ProcessOptions& options) {
  MLW_ASSIGN_OR_RETURN(TimeZone zone, UserZone(db, user_id));
  const std::string owner = options.owner.empty() ? NewLeaseOwner() : options.owner;
  ProcessStats stats;
  // Once the user has too many rows open for one transaction, the rest of the run leases them.
  bool atomic = options.single_transaction_rows > 0;
  for (;;) {
    int64_t taken = 0;
    if (atomic) {
      MLW_ASSIGN_OR_RETURN(std::optional<int64_t> round,
                           AtomicRound(db, clock, zone, user_id, options, owner, &stats));
      atomic = round.has_value();
      if (atomic) taken = *round;
    }
    if (!atomic) {
      MLW_ASSIGN_OR_RETURN(taken, LeasedRound(db, clock, zone, user_id, options, owner, &stats));
    }
    if (taken < options.rows_per_claim) break;
  }
  return stats;
}

}  // namespace mlw::pipelines::vitals
