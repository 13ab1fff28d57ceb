// A minimal admin HTTP listener: GET /metrics answers with a metrics::Registry in Prometheus text
// format, GET /healthz with "ok", anything else 404/405. One asynchronous Boost.Beast acceptor on
// its own thread; each connection is served to completion (keep-alive supported) with a 10 s
// idle timeout. Meant for scrapers, not for public traffic: bind it to loopback or a private
// interface.
//
// Thread-safety: Start() and Stop() from one thread; the registry is read from the server thread.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "core/status.h"
#include "core/metrics.h"

namespace mlw::worker {

class MetricsServer {
 public:
  // `registry` must outlive the server.
  explicit MetricsServer(const metrics::Registry* registry);
  ~MetricsServer();  // Stops if running.
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds address:port (port 0 picks a free one) and starts serving. Fails with Unavailable when
  // the address cannot be bound, naming it.
  Status Start(const std::string& address, int port);
  // The bound port; valid after a successful Start().
  int port() const { return port_; }
  void Stop();

 private:
  struct Impl;
  const metrics::Registry* const registry_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace mlw::worker
