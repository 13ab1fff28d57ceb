// A small blocking HTTP/1.1 client with one keep-alive connection, for tests, benchmarks and
// command-line tools talking to the project's own servers.
//
// Thread-safety: one thread at a time per HttpClient; use one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::http {

struct ClientResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // Sends one request and waits for its response, at most `timeout` in total. Connects on first
  // use and reconnects once when a kept-alive connection turns out to be closed. A Host header is
  // added when absent. Errors: Unavailable (connect/IO), DeadlineExceeded (timeout).
  Result<ClientResponse> Send(const std::string& method, const std::string& target,
                              const HeaderList& headers, const std::string& body,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Closes the connection; the next Send reconnects.
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlw::http
