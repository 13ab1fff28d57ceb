// Query-string parameters of the API's GET routes, checked strictly: unknown names, repeats and bad
// values are 400s that say what is accepted.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::api {

class QueryParams {
 public:
  // Fails on bad percent-escapes, a repeated name, or a name not in `allowed`.
  static Result<QueryParams> Parse(const http::Request& request,
                                   std::initializer_list<const char*> allowed);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The value, or `fallback` when absent.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Fails when absent.
  Result<std::string> Required(const std::string& name) const;
  // An RFC 3339 timestamp or a YYYY-MM-DD date (midnight UTC) as epoch microseconds; `fallback`
  // when absent.
  Result<int64_t> Time(const std::string& name, int64_t fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace mlw::api
