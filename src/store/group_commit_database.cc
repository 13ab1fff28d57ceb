#include "store/group_commit_database.h"

#include <algorithm>
#include <exception>
#include <semaphore>

namespace mlw::store {
namespace {

constexpr const char* kSavepoint = "SAVEPOINT mlw_group_member";
constexpr const char* kRelease = "RELEASE SAVEPOINT mlw_group_member";
constexpr const char* kRollbackTo = "ROLLBACK TO SAVEPOINT mlw_group_member";

thread_local const void* current_writer = nullptr;  // the wrapper whose writer runs this thread

}  // namespace

// One InTransaction call waiting for, or running in, a group. Lives on the caller's stack; the
// writer touches it only until it releases `done`.
struct GroupCommitDatabase::Pending {
  const std::function<Status(Connection&)>* fn = nullptr;
  Status status;                 // the result when `failed`; otherwise the group's result
  std::exception_ptr exception;  // what the callback threw, rethrown in the caller
  bool failed = false;           // the callback itself failed and was rolled back
  std::binary_semaphore done{0};
};

GroupCommitDatabase::GroupCommitDatabase(Database& base, GroupCommitOptions options)
    : base_(base), options_(options), writer_([this] { WriterLoop(); }) {}

GroupCommitDatabase::~GroupCommitDatabase() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

size_t GroupCommitDatabase::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

Status GroupCommitDatabase::InTransaction(const std::function<Status(Connection&)>& fn) {
  if (current_writer == this) {
    return FailedPrecondition("InTransaction called from inside a group-commit transaction");
  }
  Pending pending;
  pending.fn = &fn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Unavailable("database is shutting down", "ShuttingDown");
    queue_.push_back(&pending);
  }
  wake_.notify_one();
  pending.done.acquire();  // release/acquire: the writer's writes to `pending` are visible here
  if (pending.exception) std::rethrow_exception(pending.exception);
  return pending.status;
}

void GroupCommitDatabase::WriterLoop() {
  current_writer = this;
  std::vector<Pending*> group;
  for (;;) {
    group.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      while (!queue_.empty() && group.size() < std::max<size_t>(1, options_.max_group)) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunGroup(group);
  }
}

void GroupCommitDatabase::RunGroup(const std::vector<Pending*>& group) {
  Status group_status;
  try {
    group_status = base_.InUrgentTransaction([&group](Connection& conn) -> Status {
      for (Pending* p : group) {
        MLW_RETURN_IF_ERROR(conn.Exec(kSavepoint).status());
        Status st;
        try {
          st = (*p->fn)(conn);
        } catch (...) {
          p->exception = std::current_exception();
          st = Internal("transaction callback threw");
        }
        if (st.ok()) {
          MLW_RETURN_IF_ERROR(conn.Exec(kRelease).status());
          continue;
        }
        p->failed = true;
        p->status = st;
        // Undo only this member. If that fails, the transaction itself is gone (SQLite ends it on
        // some errors): the error fails the whole group and the base rolls back.
        MLW_RETURN_IF_ERROR(conn.Exec(kRollbackTo).status());
        MLW_RETURN_IF_ERROR(conn.Exec(kRelease).status());
      }
      return Status::Ok();
    });
  } catch (const std::exception& e) {
    group_status = Internal(std::string("group commit failed: ") + e.what());
  } catch (...) {
    group_status = Internal("group commit failed with an unknown exception");
  }
  groups_.fetch_add(1);
  members_.fetch_add(static_cast<int64_t>(group.size()));
  for (Pending* p : group) {
    if (!p->failed) p->status = group_status;
    p->done.release();  // `p` may be gone after this
  }
}

}  // namespace mlw::store
