// A small blocking HTTP/1.1 client over libcurl for the SQS client and the credential providers.
//
// Connection reuse: each HttpClient keeps a pool of libcurl easy handles; a call borrows one and
// returns it, so consecutive calls (from one thread or several) reuse its open keep-alive
// connection instead of paying a TCP and TLS handshake each time. There is no retry here: callers
// decide what is safe to retry (see RetryPolicy in queue/sqs_client.h).
//
// Thread-safety: Send may be called from any number of threads at once; each in-flight call uses
// its own easy handle.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mlw::queue {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Whole-call limit for this request in milliseconds; 0 uses HttpClientOptions::timeout_ms.
  // Long polls set it above their wait time.
  int64_t timeout_ms = 0;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers: the last
  std::string body;
};

struct HttpClientOptions {
  int64_t connect_timeout_ms = 3000;  // TCP (and TLS) connect limit
  int64_t timeout_ms = 30000;         // whole-call limit unless the request sets its own
  size_t max_response_bytes = 8 << 20;  // larger responses fail with kResourceExhausted
  std::string user_agent = "mlworker";
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one request. Transport failures (refused, reset, DNS, timeout) return kUnavailable
  // (kDeadlineExceeded for timeouts) with reason "ConnectionError"/"Timeout"; any HTTP status,
  // including 4xx and 5xx, is a successful Result that carries it.
  Result<HttpResponse> Send(const HttpRequest& request);

  const HttpClientOptions& options() const { return options_; }

 private:
  struct Handle;
  std::unique_ptr<Handle> Borrow();
  void Return(std::unique_ptr<Handle> handle);

  const HttpClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace mlw::queue
