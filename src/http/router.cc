#include "http/router.h"

#include <nlohmann/json.hpp>

#include "http/url.h"

namespace mlw::http {
namespace {

Response ErrorResponse(int status, const std::string& code, const std::string& message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  return Response::Text(status, body.dump(), "application/json");
}

bool IsPlaceholder(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), SplitPath(pattern), std::move(handler)});
}

void Router::Dispatch(Request request, Responder respond) const {
  std::vector<std::string> segments = SplitPath(request.path);
  std::string allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (IsPlaceholder(want)) {
        Result<std::string> decoded = PercentDecode(segments[i], false);
        if (!decoded.ok()) {
          match = false;
          break;
        }
        params[want.substr(1, want.size() - 2)] = std::move(decoded).value();
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != "*" && route.method != request.method) {
      if (allowed.find(route.method) == std::string::npos) {
        allowed += (allowed.empty() ? "" : ", ") + route.method;
      }
      continue;
    }
    request.path_params = std::move(params);
    route.handler(std::move(request), std::move(respond));
    return;
  }
  if (!allowed.empty()) {
    Response r = ErrorResponse(405, "method_not_allowed",
                               request.method + " is not allowed on " + request.path);
    r.SetHeader("Allow", allowed);
    respond(std::move(r));
    return;
  }
  respond(ErrorResponse(404, "not_found", "no route for " + request.path));
}

Handler Router::AsHandler() const {
  return [this](Request request, Responder respond) {
    Dispatch(std::move(request), std::move(respond));
  };
}

}  // namespace mlw::http
