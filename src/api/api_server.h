// The HTTP API of DESIGN.md "HTTP API (v1)": ingest, queries, users, health, metrics and the
// OpenAPI document, on the project's async HTTP server. Handlers only translate between HTTP and
// the pipelines; the work runs on a small thread pool so that database calls never block an I/O
// thread.
//
// Thread-safety: Start() and Stop() from one controlling thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "http/server.h"
#include "queue/queue.h"
#include "store/database.h"
#include "triggers/trigger_outbox.h"

namespace mlw::api {

inline constexpr uint16_t kDefaultApiPort = 8080;

struct ApiOptions {
  http::ServerOptions http = [] {
    http::ServerOptions o;
    o.port = kDefaultApiPort;
    o.name = "api";
    o.body_limit = 10 * 1024 * 1024;  // 10 MiB; larger bodies get 413
    return o;
  }();
  // Threads running handlers. A handler mostly waits for the database (an ingest for its group
  // commit), so there are enough for every request in flight of a busy app backend: ingests that
  // wait together commit together, and none waits for a thread behind a blocked one. With 4,
  // `bench/api_ingest_bench.sh` (32 connections) gave p99 44-50 ms and 5,500 req/s; with 32, 26 ms
  // and 6,900 req/s at the same CPU per request. Threads hold no database connection while idle.
  int handler_threads = 32;
  size_t max_items = 10000;            // samples / entries / tests per request; more gets 413
  size_t max_json_depth = 16;          // deeper JSON gets 400
  size_t max_queued_requests = 10000;  // requests waiting for a handler thread; more gets 503
  // Ingest transactions of concurrent requests are committed together by one writer
  // (store/group_commit_database.h); a 202 is still sent only after its own rows are committed.
  // false: one transaction per request.
  bool group_commit = true;
  // A user token verified against the database is trusted for this long without asking again
  // (api/token_cache.h): the longest a revoked token keeps working. 0 disables the cache.
  int token_cache_ttl_ms = 2000;
};

// Everything the API talks to. All pointers must outlive the server.
struct ApiDeps {
  store::Database* db = nullptr;
  queue::QueueService* queue = nullptr;
  std::string queue_name;  // checked by /readyz
  triggers::TriggerOutbox* outbox = nullptr;
  std::function<void()> after_ingest;  // wakes the outbox relay; may be empty
  const Clock* clock = &SystemClock::Default();
  metrics::Registry* metrics = nullptr;  // /metrics renders it; may be shared with the worker
  std::string admin_token;
};

class ApiServer {
 public:
  ApiServer(ApiDeps deps, ApiOptions options);
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  ~ApiServer();

  Status Start();
  uint16_t port() const;
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Every (method, path pattern) served, e.g. ("GET", "/v1/users/{id}/status").
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlw::api
