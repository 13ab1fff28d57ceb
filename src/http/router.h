// Routes requests by method and path pattern to handlers. A pattern is a path whose segments are
// literals or "{name}" placeholders that match one non-empty segment and are stored, percent-
// decoded, in Request::path_params ("/v1/users/{id}/vitals"). Routes are tried in the order they
// were added. No match gives 404, a path that matches only for other methods gives 405 with an
// Allow header; both as JSON {"error":{"code","message"}}.
//
// Thread-safety: Add() before the server starts; Dispatch() from any thread afterwards.
#pragma once

#include <string>
#include <vector>

#include "http/http_message.h"

namespace mlw::http {

class Router {
 public:
  // `method` is "GET", "POST", … or "*" for any method.
  void Add(std::string method, std::string pattern, Handler handler);
  void Dispatch(Request request, Responder respond) const;
  // A Handler that dispatches through this router. REQUIRES: the router outlives the handler.
  Handler AsHandler() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Splits "/a/b/" into {"a", "b"}: empty segments are dropped.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace mlw::http
