// An asynchronous HTTP/1.1 server (Boost.Asio/Beast) with keep-alive, a body limit, idle timeouts
// and graceful stop. Requests are handed to an asynchronous Handler (http_message.h): a handler may
// park a request and answer it later from any thread, so hundreds of waiting long polls hold no
// thread at all.
//
// Thread-safety: Start() and Stop() from one controlling thread; port() from any thread once
// Start() returned OK. Handlers run on the server's I/O threads, possibly concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::http {

struct ServerOptions {
  // Address to bind. Servers of this project listen on loopback unless configured otherwise.
  std::string address = "127.0.0.1";
  // TCP port; 0 picks a free ephemeral port (see HttpServer::port()).
  uint16_t port = 0;
  // Threads running the I/O loop and the handlers. At least 1.
  int io_threads = 2;
  // Largest accepted request body in bytes; larger requests get 413 and the connection closes.
  uint64_t body_limit = 4 * 1024 * 1024;
  // A keep-alive connection with no request for this long is closed; also bounds the time to
  // receive one request once its first byte arrived.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // Bounds writing one response.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // One JSON line per request (log event "http_access") at info level.
  bool access_log = true;
  // Names this server in logs ("sqs", "api").
  std::string name = "http";
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops with a zero grace period if still running.
  ~HttpServer();

  // Binds, listens and starts the I/O threads. Fails (Unavailable) when the address cannot be
  // bound.
  Status Start();
  // The bound port. REQUIRES: Start() returned OK.
  uint16_t port() const;
  // Stops accepting, closes idle connections, lets requests in flight finish until `grace` has
  // passed, then closes everything and joins the I/O threads. Idempotent. Responders called after
  // this are no-ops.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Connections currently open; for tests and metrics.
  size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlw::http
