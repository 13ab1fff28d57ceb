#include "api/query_params.h"

#include <algorithm>

#include "core/timestamp.h"
#include "http/url.h"

namespace mlw::api {

Result<QueryParams> QueryParams::Parse(const http::Request& request,
                                       std::initializer_list<const char*> allowed) {
  MLW_ASSIGN_OR_RETURN(http::FormParams pairs, http::ParseForm(request.query));
  QueryParams params;
  for (auto& [name, value] : pairs) {
    bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; });
    if (!known) {
      std::string accepted;
      for (const char* a : allowed) accepted += (accepted.empty() ? "" : ", ") + std::string(a);
      return InvalidArgument("unknown query parameter \"" + name + "\" (accepted: " + accepted +
                             ")");
    }
    if (!params.values_.emplace(name, value).second) {
      return InvalidArgument("query parameter \"" + name + "\" given more than once");
    }
  }
  return params;
}

std::string QueryParams::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

Result<std::string> QueryParams::Required(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) {
    return InvalidArgument("query parameter \"" + name + "\" is required");
  }
  return it->second;
}

Result<int64_t> QueryParams::Time(const std::string& name, int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return fallback;
  const std::string& text = it->second;
  if (text.size() == 10) {
    Result<int64_t> days = ParseIsoDate(text);
    if (days.ok()) return *days * 86400LL * 1000000LL;
  }
  Result<ParsedTimestamp> ts = ParseRfc3339(text);
  if (!ts.ok()) {
    return InvalidArgument("query parameter \"" + name + "\"=\"" + text +
                           "\" is not an RFC 3339 timestamp (2024-03-10T00:00:00Z) or a date "
                           "(2024-03-10): " +
                           ts.status().message());
  }
  return ts->micros;
}

}  // namespace mlw::api
