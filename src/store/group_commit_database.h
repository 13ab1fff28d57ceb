// A Database wrapper that commits concurrent transactions together ("group commit").
//
// Why: on SQLite every write transaction takes the single write lock, and BEGIN + COMMIT cost more
// than a small ingest's INSERTs; many threads each running their own transaction also queue on
// that lock through SQLite's sleeping busy handler, which is what made ingest's p99 hundreds of
// milliseconds. Here one writer thread takes every InTransaction call waiting at that moment (up to
// max_group), runs them one after another inside a single base transaction, each in its own
// SAVEPOINT, and commits once.
//
// Contract, the same as Database::InTransaction for each caller:
//   - A call returns only after its group's COMMIT returned: OK means its writes are committed
//     with the base database's durability (no weaker: the commit is the base's own).
//   - A callback that fails (or throws) is rolled back to its savepoint and gets its own Status
//     (or exception); the other members of its group are not affected.
//   - If the group's transaction is lost (BEGIN or COMMIT fails, or an error ends the transaction
//     itself, e.g. disk full), nothing of the group is committed and every member that had not
//     failed on its own gets that error.
//   - Members run in arrival order and see the writes of members before them in the same group,
//     exactly as if they had run serially.
// Groups form only from calls already waiting; a lone call is never delayed to wait for company.
// A group runs as the base's InUrgentTransaction: on SQLite it goes before background writers
// (the worker) waiting for the write lock (store/writer_gate.h).
// Query/Exec are forwarded unchanged.
//
// Thread-safety: thread-safe. REQUIRES: a callback must not call InTransaction on this wrapper
// (it would wait for itself; such a call fails with kFailedPrecondition). The base database must
// outlive the wrapper. The destructor runs the transactions already queued, then joins the writer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "store/database.h"

namespace mlw::store {

struct GroupCommitOptions {
  // Most callbacks committed in one transaction; later arrivals wait for the next group. Bounds
  // how long one group holds the write lock. Default 64.
  size_t max_group = 64;
};

class GroupCommitDatabase final : public Database {
 public:
  explicit GroupCommitDatabase(Database& base, GroupCommitOptions options = {});
  ~GroupCommitDatabase() override;

  Dialect dialect() const override { return base_.dialect(); }
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) override {
    return base_.Query(sql, params);
  }
  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) override {
    return base_.Exec(sql, params);
  }
  Status InTransaction(const std::function<Status(Connection&)>& fn) override;

  // Calls waiting for a group to pick them up (not counting the group running); for tests.
  size_t queued() const;
  // Groups committed (or attempted) and callbacks run in them since construction.
  int64_t groups() const { return groups_.load(); }
  int64_t members() const { return members_.load(); }

 private:
  struct Pending;
  void WriterLoop();
  void RunGroup(const std::vector<Pending*>& group);

  Database& base_;
  const GroupCommitOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;  // writer waits here for work or stop
  std::deque<Pending*> queue_;    // guarded by mu_
  bool stop_ = false;             // guarded by mu_
  std::atomic<int64_t> groups_{0};
  std::atomic<int64_t> members_{0};
  std::thread writer_;  // last: starts after everything above is constructed
};

}  // namespace mlw::store
