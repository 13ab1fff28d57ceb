#include "http/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "http/connection.h"

namespace mlw::http {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using internal::Connection;
using internal::ServerCore;

struct HttpServer::Impl final : internal::ConnectionOwner {
  Impl(ServerOptions opts, Handler h)
      : options_(std::move(opts)),
        handler_(std::move(h)),
        core_(std::make_shared<ServerCore>()),
        acceptor_(asio::make_strand(io_)) {}

  const ServerOptions& options() const override { return options_; }
  const Handler& handler() const override { return handler_; }
  const std::shared_ptr<ServerCore>& core() const override { return core_; }
  bool stopping() const override { return stopping_.load(); }

  void OnConnectionClosed(Connection* connection) override {
    std::lock_guard<std::mutex> lock(mu_);
    connections_.erase(connection);
    cv_.notify_all();
  }

  void DoAccept() {
    acceptor_.async_accept(
        asio::make_strand(io_), [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
          if (!ec) {
            auto connection = std::make_shared<Connection>(std::move(socket), this);
            {
              std::lock_guard<std::mutex> lock(mu_);
              connections_.emplace(connection.get(), connection);
            }
            connection->Start();
          } else {
            log::Warn("http_accept_failed", {{"server", options_.name}, {"error", ec.message()}});
          }
          DoAccept();
        });
  }

  std::vector<std::shared_ptr<Connection>> Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::shared_ptr<Connection>> out;
    out.reserve(connections_.size());
    for (auto& [ptr, connection] : connections_) out.push_back(connection);
    return out;
  }

  // Waits until no connection is open or the deadline passes; true when none is open.
  bool WaitForNoConnections(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_until(lock, deadline, [this] { return connections_.empty(); });
  }

  const ServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<ServerCore> core_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  bool stopped_ = false;
  uint16_t port_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started_) return FailedPrecondition("server already started");
  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options_.address, ec);
  if (ec) return InvalidArgument("invalid listen address '" + s.options_.address + "'");
  tcp::endpoint endpoint(address, s.options_.port);
  s.acceptor_.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor_.bind(endpoint, ec);
  if (!ec) s.acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + s.options_.address + ":" +
                       std::to_string(s.options_.port) + ": " + ec.message());
  }
  s.port_ = s.acceptor_.local_endpoint().port();
  s.started_ = true;
  s.work_.emplace(s.io_.get_executor());
  asio::post(s.acceptor_.get_executor(), [&s] { s.DoAccept(); });
  int threads = std::max(1, s.options_.io_threads);
  for (int i = 0; i < threads; ++i) s.threads_.emplace_back([&s] { s.io_.run(); });
  log::Info("http_listening",
            {{"server", s.options_.name}, {"address", s.options_.address}, {"port", s.port_}});
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->port_; }

size_t HttpServer::open_connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->connections_.size();
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  if (!s.started_ || s.stopped_) return;
  s.stopped_ = true;
  s.stopping_.store(true);
  asio::post(s.acceptor_.get_executor(), [&s] {
    boost::system::error_code ignored;
    s.acceptor_.close(ignored);
  });
  for (auto& connection : s.Snapshot()) connection->BeginShutdown();
  auto now = std::chrono::steady_clock::now();
  if (!s.WaitForNoConnections(now + grace)) {
    {
      std::lock_guard<std::mutex> lock(s.core_->mu);
      s.core_->running = false;  // late responders no longer post
    }
    for (auto& connection : s.Snapshot()) connection->ForceClose();
    s.WaitForNoConnections(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  }
  {
    std::lock_guard<std::mutex> lock(s.core_->mu);
    s.core_->running = false;
  }
  s.work_.reset();
  s.io_.stop();
  for (auto& t : s.threads_) t.join();
  s.threads_.clear();
  std::lock_guard<std::mutex> lock(s.mu_);
  s.connections_.clear();
  log::Info("http_stopped", {{"server", s.options_.name}});
}

}  // namespace mlw::http
