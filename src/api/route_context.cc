#include "api/route_context.h"

#include <boost/asio/post.hpp>
#include <chrono>
#include <exception>

#include "api/api_error.h"
#include "core/log.h"

namespace mlw::api::internal {

RouteContext::RouteContext(ApiDeps deps, ApiOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      auth_(*deps_.db, deps_.admin_token),
      pool_(static_cast<size_t>(std::max(1, options_.handler_threads))) {
  if (deps_.metrics) {
    requests_ = &deps_.metrics->AddCounter("mlworker_http_requests_total",
                                           "HTTP API requests by route and status",
                                           {"route", "method", "status"});
    latency_ = &deps_.metrics->AddHistogram("mlworker_http_request_duration_seconds",
                                            "HTTP API request latency by route", {"route"},
                                            metrics::DefaultDurationBuckets());
  }
}

RouteContext::~RouteContext() { Shutdown(); }

void RouteContext::Shutdown() { pool_.join(); }

http::Handler RouteContext::Instrument(const std::string& pattern, SyncHandler handler,
                                       bool offload) {
  auto run = [this, pattern, handler](const http::Request& request) {
    auto started = std::chrono::steady_clock::now();
    http::Response response;
    try {
      response = handler(request);
    } catch (const std::exception& e) {
      log::Error("api_handler_exception", {{"route", pattern}, {"what", e.what()}});
      response = ErrorResponse(500, "internal", "internal error; the server log has the details");
    }
    response.SetHeader("X-Request-Id", request.request_id);
    if (requests_) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      requests_->WithLabels({pattern, request.method, std::to_string(response.status)}).Increment();
      latency_->WithLabels({pattern}).Observe(seconds);
    }
    return response;
  };
  if (!offload) {
    return [run](http::Request request, http::Responder respond) { respond(run(request)); };
  }
  return [this, run](http::Request request, http::Responder respond) {
    if (queued_.load() >= options_.max_queued_requests) {
      respond(ErrorResponse(503, "overloaded", "too many requests waiting; retry shortly"));
      return;
    }
    ++queued_;
    boost::asio::post(
        pool_, [this, run, request = std::move(request), respond = std::move(respond)]() mutable {
          --queued_;
          respond(run(request));
        });
  };
}

void RouteContext::Add(const std::string& method, const std::string& pattern, SyncHandler handler) {
  routes_.emplace_back(method, pattern);
  router_.Add(method, pattern, Instrument(pattern, std::move(handler), true));
}

void RouteContext::AddInline(const std::string& method, const std::string& pattern,
                             SyncHandler handler) {
  routes_.emplace_back(method, pattern);
  router_.Add(method, pattern, Instrument(pattern, std::move(handler), false));
}

bool RouteContext::Check(const http::Request& request,
                         const std::function<Status(const Principal&)>& policy,
                         http::Response* error) const {
  Result<Principal> principal = auth_.Authenticate(request);
  if (!principal.ok()) {
    *error = StatusResponse(principal.status());
    error->SetHeader("WWW-Authenticate", "Bearer");
    return false;
  }
  Status allowed = policy(*principal);
  if (!allowed.ok()) {
    *error = StatusResponse(allowed);
    return false;
  }
  return true;
}

bool RouteContext::Allow(const http::Request& request, int64_t user_id,
                         http::Response* error) const {
  return Check(
      request,
      [user_id](const Principal& p) {
        return user_id > 0 ? Authenticator::Authorize(p, user_id) : Status::Ok();
      },
      error);
}

bool RouteContext::AllowAdmin(const http::Request& request, http::Response* error) const {
  return Check(request, Authenticator::RequireAdmin, error);
}

bool RouteContext::UserIdParam(const http::Request& request, int64_t* user_id,
                               http::Response* error) const {
  auto it = request.path_params.find("id");
  const std::string text = it == request.path_params.end() ? "" : it->second;
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || v <= 0) {
    *error = ErrorResponse(400, "invalid_request",
                           "user id in the path must be a positive integer, got \"" + text + "\"");
    return false;
  }
  *user_id = v;
  return true;
}

}  // namespace mlw::api::internal
