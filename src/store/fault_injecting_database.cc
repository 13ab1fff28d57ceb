#include "store/fault_injecting_database.h"

namespace mlw::store {

void FaultInjectingDatabase::FailCommit(int64_t nth, CommitFault fault) {
  fault_.store(static_cast<int>(fault));
  fail_at_.store(nth <= 0 ? 0 : transactions_.load() + nth);
}

Status FaultInjectingDatabase::InTransaction(const std::function<Status(Connection&)>& fn) {
  const int64_t number = ++transactions_;
  int64_t target = number;
  if (!fail_at_.compare_exchange_strong(target, 0)) return base_.InTransaction(fn);
  ++injected_;
  const auto fault = static_cast<CommitFault>(fault_.load());
  const Status injected = Unavailable(
      "injected commit failure (transaction " + std::to_string(number) + ")", "InjectedFault");
  if (fault == CommitFault::kBeforeCommit) {
    Status st = base_.InTransaction([&](Connection& conn) -> Status {
      MLW_RETURN_IF_ERROR(fn(conn));
      return injected;  // makes the base roll back everything fn did
    });
    return st.ok() ? injected : st;
  }
  MLW_RETURN_IF_ERROR(base_.InTransaction(fn));
  return injected;
}

}  // namespace mlw::store
