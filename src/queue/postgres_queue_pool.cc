#include "queue/postgres_queue_pool.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/log.h"

namespace mlw::pg {

Result<std::unique_ptr<PgConnection>> ConnectWithBackoff(const PgUrl& url, int timeout_ms) {
  using SteadyClock = std::chrono::steady_clock;
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  auto backoff = std::chrono::milliseconds(50);
  for (int attempt = 1;; ++attempt) {
    Result<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(url);
    if (conn.ok()) {
      if (attempt > 1) log::Info("postgres_reconnected", {{"attempts", attempt}});
      return conn;
    }
    if (conn.status().reason() != "ConnectionLost" || SteadyClock::now() + backoff > deadline) {
      return conn;
    }
    if (attempt == 1) {
      log::Warn("postgres_unreachable", {{"error", conn.status().message()}});
    }
    // Backoff between attempts against a server that is down: not a wait for an event.
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
  }
}

PgPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

Status PgPool::Warm() {
  MLW_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(url_));
  std::lock_guard<std::mutex> lock(mu_);
  ++open_count_;
  idle_.push_back(std::move(conn));
  return Status::Ok();
}

Result<PgPool::Lease> PgPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
  while (idle_.empty() && open_count_ >= options_.max_connections) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_count_ >= options_.max_connections) {
      return Unavailable("no free PostgreSQL connection within " +
                             std::to_string(options_.acquire_timeout_ms) + " ms",
                         "DatabaseBusy");
    }
  }
  if (!idle_.empty()) {
    std::unique_ptr<PgConnection> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_count_;
  lock.unlock();
  Result<std::unique_ptr<PgConnection>> opened =
      ConnectWithBackoff(url_, options_.reconnect_timeout_ms);
  if (!opened.ok()) {
    lock.lock();
    --open_count_;
    cv_.notify_one();
    return opened.status();
  }
  return Lease(this, std::move(opened).value());
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn->broken()) {
    --open_count_;
    // The other idle connections were opened before the same outage, most likely: drop them too,
    // so that the next borrowers reconnect instead of each failing once.
    open_count_ -= static_cast<int>(idle_.size());
    idle_.clear();
  } else if (conn->InTransaction()) {
    --open_count_;  // abandoned mid-transaction (a bug or an exception): never reuse it
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

}  // namespace mlw::pg
