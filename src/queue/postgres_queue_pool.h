// A bounded pool of PgConnections to one server that survives server restarts and fail-overs:
// a connection found lost is discarded (never returned to the pool), and opening a new one retries
// with exponential backoff (50 ms doubling to 1 s) while the server is unreachable, for up to
// `reconnect_timeout_ms`. Rejected logins and missing databases fail at once.
//
// Thread-safety: thread-safe. Each Lease is used by one thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"
#include "queue/postgres_queue_conn.h"
#include "queue/postgres_queue_url.h"

namespace mlw::pg {

struct PgPoolOptions {
  // Upper bound on open connections; callers beyond it wait for one to be returned.
  int max_connections = 8;
  // How long Acquire waits for a free connection before kUnavailable "DatabaseBusy". Milliseconds.
  int acquire_timeout_ms = 30000;
  // How long Acquire keeps trying to reach an unreachable server. Milliseconds.
  int reconnect_timeout_ms = 10000;
};

class PgPool {
 public:
  // A borrowed connection; returned to the pool when destroyed unless it was found broken.
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  PgPool(PgUrl url, PgPoolOptions options) : url_(std::move(url)), options_(options) {}
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Borrows an idle connection or opens a new one (see the reconnect policy above).
  Result<Lease> Acquire();
  // Opens one connection now, without retrying, so that a bad URL or an unreachable server is
  // reported at start-up; the connection joins the pool.
  Status Warm();

  // Runs `fn` on a borrowed connection. When it fails because the connection was lost and the
  // connection was not inside a transaction, it runs once more on a fresh connection: a server
  // restart costs callers nothing but the reconnect time. `fn` must be safe to repeat in that case
  // (a statement whose connection dropped mid-flight may or may not have been applied).
  template <typename T>
  Result<T> Run(const std::function<Result<T>(PgConnection&)>& fn) {
    for (int attempt = 0;; ++attempt) {
      MLW_ASSIGN_OR_RETURN(Lease conn, Acquire());
      Result<T> r = fn(*conn);
      if (r.ok() || attempt > 0 || r.status().reason() != "ConnectionLost") return r;
    }
  }

  const PgUrl& url() const { return url_; }

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const PgUrl url_;
  const PgPoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  int open_count_ = 0;                               // guarded by mu_
};

// Opens one connection, retrying with backoff while the server is unreachable, up to
// `timeout_ms`. For connections outside a pool (the queue's LISTEN connection).
Result<std::unique_ptr<PgConnection>> ConnectWithBackoff(const PgUrl& url, int timeout_ms);

}  // namespace mlw::pg
