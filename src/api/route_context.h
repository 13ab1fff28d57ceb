// Internal to the API: what route files need to register handlers. A handler is a plain function
// from request to response; RouteContext runs it on the handler pool, times it for /metrics under
// its route pattern, and turns escaped exceptions into a 500.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string>

#include "api/api_server.h"
#include "api/auth.h"
#include "api/json_body.h"
#include "http/router.h"

namespace mlw::api::internal {

using SyncHandler = std::function<http::Response(const http::Request&)>;

class RouteContext {
 public:
  RouteContext(ApiDeps deps, ApiOptions options);
  ~RouteContext();

  // Registers `handler` for method + pattern; see http/router.h for patterns.
  void Add(const std::string& method, const std::string& pattern, SyncHandler handler);
  // Like Add, but answered on the I/O thread: for cheap handlers that touch no database.
  void AddInline(const std::string& method, const std::string& pattern, SyncHandler handler);

  // Authenticates and, when `user_id` > 0, authorizes access to that user. On failure fills
  // `error` and returns false.
  bool Allow(const http::Request& request, int64_t user_id, http::Response* error) const;
  bool AllowAdmin(const http::Request& request, http::Response* error) const;
  // Parses path parameter "id" as a positive user id; on failure fills `error`.
  bool UserIdParam(const http::Request& request, int64_t* user_id, http::Response* error) const;

  const ApiDeps& deps() const { return deps_; }
  const ApiOptions& options() const { return options_; }
  BodyLimits body_limits() const { return BodyLimits{options_.max_json_depth}; }
  const http::Router& router() const { return router_; }
  // Every registered (method, pattern), in registration order; tests check them against OpenAPI.
  const std::vector<std::pair<std::string, std::string>>& routes() const { return routes_; }
  void Shutdown();

 private:
  // Authenticates, then applies `policy` to the principal; on failure fills `error`.
  bool Check(const http::Request& request, const std::function<Status(const Principal&)>& policy,
             http::Response* error) const;
  http::Handler Instrument(const std::string& pattern, SyncHandler handler, bool offload);

  ApiDeps deps_;
  ApiOptions options_;
  Authenticator auth_;
  http::Router router_;
  std::vector<std::pair<std::string, std::string>> routes_;
  boost::asio::thread_pool pool_;
  std::atomic<size_t> queued_{0};
  metrics::Family<metrics::Counter>* requests_ = nullptr;
  metrics::Family<metrics::Histogram>* latency_ = nullptr;
};

void AddOpsRoutes(RouteContext& ctx);
void AddUserRoutes(RouteContext& ctx);
void AddIngestRoutes(RouteContext& ctx);
void AddQueryRoutes(RouteContext& ctx);

}  // namespace mlw::api::internal
