// The request and response types of the HTTP layer. They are plain values so that handlers, the
// router and protocol code do not depend on Boost.Beast.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlw::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup of the first header named `name`; empty when absent.
std::string_view FindHeader(const HeaderList& headers, std::string_view name);

struct Request {
  std::string method;  // upper case as sent: "GET", "POST", …
  std::string target;  // as sent: path plus optional "?query"
  std::string path;    // target before '?', still percent-encoded
  std::string query;   // target after '?', without it; empty when none
  HeaderList headers;
  std::string body;
  std::string request_id;                          // assigned by the server, unique per request
  std::string remote_address;                      // peer IP
  std::map<std::string, std::string> path_params;  // filled by Router from "{name}" segments

  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
};

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
};

// Delivers the response of one request. Callable from any thread, at most once; later calls are
// ignored. If a Responder is destroyed without being called, the client gets a 500 so that it is
// never left hanging. Responding after the client went away or the server stopped is a no-op.
using Responder = std::function<void(Response)>;
// Handles one request. May respond before returning or keep the Responder and respond later from
// any thread (for long polls); must not block for long, since it runs on an I/O thread.
using Handler = std::function<void(Request, Responder)>;

}  // namespace mlw::http
