// A Database wrapper for crash-consistency tests (STYLE.md, LevelDB fault_injection_test): forwards
// everything to a real Database and fails a chosen transaction commit on demand.
//
// Thread-safe. The wrapped database must outlive the wrapper.
#pragma once

#include <atomic>
#include <cstdint>

#include "store/database.h"

namespace mlw::store {

enum class CommitFault {
  // The transaction is rolled back and the caller sees kUnavailable: as if the process died before
  // COMMIT reached the disk.
  kBeforeCommit,
  // The transaction commits but the caller sees kUnavailable: as if the process died right after
  // COMMIT, before it could act on the result.
  kAfterCommit,
};

class FaultInjectingDatabase final : public Database {
 public:
  explicit FaultInjectingDatabase(Database& base) : base_(base) {}

  // Fails the `nth` (1-based) InTransaction call from now on with `fault`; 0 disarms.
  void FailCommit(int64_t nth, CommitFault fault = CommitFault::kBeforeCommit);
  // Number of InTransaction calls since construction.
  int64_t transactions() const { return transactions_.load(); }
  // Number of faults injected so far.
  int64_t injected() const { return injected_.load(); }

  Dialect dialect() const override { return base_.dialect(); }
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) override {
    return base_.Query(sql, params);
  }
  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) override {
    return base_.Exec(sql, params);
  }
  Status InTransaction(const std::function<Status(Connection&)>& fn) override;

 private:
  Database& base_;
  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> fail_at_{0};  // absolute transaction number to fail, 0 = none
  std::atomic<int> fault_{0};
  std::atomic<int64_t> injected_{0};
};

}  // namespace mlw::store
