// Options and outcome shared by the three domain handlers (vitals, nutrition, labs).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"

namespace mlw::store {
class Connection;
}

namespace mlw::pipelines {

// Runs inside an ingest's transaction after the raw rows are written, e.g. to enqueue the trigger
// or write an outbox row atomically with the data. An error rolls the whole ingest back.
using InTxHook = std::function<Status(store::Connection&)>;

struct ProcessOptions {
  // How long claimed rows stay leased to this run. If the run dies, another run may reclaim them
  // once the lease expires. Microseconds; default 5 minutes. Keep it longer than a run takes.
  int64_t lease_micros = 5LL * 60 * 1000000;
  // Rows claimed per round; a run loops until the user has no claimable rows. Default 50,000.
  int64_t rows_per_claim = 50000;
  // A round of at most this many rows is categorized and aggregated in its claim transaction: one
  // commit, each raw row's page written once, and a crash leaves the rows pending as if the run
  // never started. Larger rounds commit their claim (rows visibly `processing` under the lease),
  // then their categorization, then their aggregation, so that one transaction never holds the
  // database's writer for long. 0 always takes the three-transaction path. Default 2,000.
  int64_t single_transaction_rows = 2000;
  // Lease owner written on claimed rows; empty picks a unique one per run.
  std::string owner;
  // Runs inside every claim transaction, before the claim: the worker consumes the job's trigger
  // here, so that the rows it covers are claimed in the same commit (a later upload records a new
  // trigger). An error rolls the claim back and ends the run.
  InTxHook before_claim;
};

struct ProcessStats {
  int64_t claimed = 0;
  int64_t processed = 0;
  int64_t failed = 0;
  int64_t buckets_written = 0;
  nlohmann::json ToJson() const {
    return {{"claimed", claimed},
            {"processed", processed},
            {"failed", failed},
            {"buckets_written", buckets_written}};
  }
};

// A lease owner id unique within and across processes ("<pid>-<counter>-<random>").
std::string NewLeaseOwner();

}  // namespace mlw::pipelines
