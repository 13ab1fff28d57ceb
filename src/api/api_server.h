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
  int handler_threads = 4;             // threads running handlers (database work)
  size_t max_items = 10000;            // samples / entries / tests per request; more gets 413
  size_t max_json_depth = 16;          // deeper JSON gets 400
  size_t max_queued_requests = 10000;  // requests waiting for a handler thread; more gets 503
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
