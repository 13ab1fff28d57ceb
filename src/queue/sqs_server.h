// The SQS-compatible endpoint: an HTTP server speaking both SQS wire protocols (AWS JSON 1.0 and
// query/XML) on top of a QueueService. Queue URLs are http://<host the client
// used>/000000000000/<name>. Requests signed with SigV4 are accepted; with credentials configured,
// only requests signed with them are (see sqs_protocol/sigv4_verify.h). docs/sqs-protocol.md lists
// what is supported.
//
// Thread-safety: Start() and Stop() from one controlling thread; port() from any thread once
// Start() returned OK.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "core/status.h"
#include "http/server.h"
#include "queue/queue.h"
#include "queue/sqs_protocol/sigv4_verify.h"

namespace mlw::queue {

inline constexpr uint16_t kDefaultSqsPort = 9324;

struct SqsServerOptions {
  // Listen address, port (default 9324; 0 = ephemeral), I/O threads, limits. The body limit must
  // exceed the largest message (1 MiB at most) after form or JSON encoding; the default is 4 MiB.
  http::ServerOptions http = [] {
    http::ServerOptions o;
    o.port = kDefaultSqsPort;
    o.name = "sqs";
    return o;
  }();
  // Threads that run blocking QueueService calls and long-poll retries, apart from the I/O threads.
  int backend_threads = 4;
  // When set, every request must carry a SigV4 signature made with these credentials.
  std::optional<sqs::SigV4Credentials> credentials;
};

class SqsServer {
 public:
  // REQUIRES: `service` outlives this object.
  SqsServer(QueueService* service, SqsServerOptions options);
  SqsServer(const SqsServer&) = delete;
  SqsServer& operator=(const SqsServer&) = delete;
  ~SqsServer();

  Status Start();
  uint16_t port() const;
  // Answers parked long polls with empty lists, then stops the HTTP server (see HttpServer::Stop)
  // and waits for backend calls in flight. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Long polls parked now; for tests and metrics.
  size_t parked_polls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlw::queue
