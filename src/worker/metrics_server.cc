#include "worker/metrics_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace mlw::worker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(10);

http::response<http::string_body> Respond(const metrics::Registry& registry,
                                          const http::request<http::string_body>& req) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  const std::string target(req.target());
  const std::string path = target.substr(0, target.find('?'));
  if (path != "/metrics" && path != "/healthz") {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "not found\n";
  } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "method not allowed\n";
  } else if (path == "/healthz") {
    res.result(http::status::ok);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "ok\n";
  } else {
    res.result(http::status::ok);
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = registry.RenderText();
  }
  if (req.method() == http::verb::head) {
    res.content_length(res.body().size());
    res.body().clear();
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> Serve(beast::tcp_stream stream, const metrics::Registry* registry) {
  beast::flat_buffer buffer;
  try {
    while (true) {
      stream.expires_after(kIdleTimeout);
      http::request<http::string_body> req;
      co_await http::async_read(stream, buffer, req, asio::use_awaitable);
      auto res = Respond(*registry, req);
      bool keep_alive = res.keep_alive();
      co_await http::async_write(stream, res, asio::use_awaitable);
      if (!keep_alive) break;
    }
  } catch (const std::exception&) {
    // Closed, timed out or malformed: the connection just ends.
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const metrics::Registry* registry) {
  while (true) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), Serve(beast::tcp_stream(std::move(socket)), registry),
                   asio::detached);
  }
}

}  // namespace

struct MetricsServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
};

MetricsServer::MetricsServer(const metrics::Registry* registry) : registry_(registry) {}

MetricsServer::~MetricsServer() { Stop(); }

Status MetricsServer::Start(const std::string& address, int port) {
  impl_ = std::make_unique<Impl>();
  beast::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return InvalidArgument("metrics address '" + address + "' is not an IP address");
  tcp::endpoint endpoint(ip, static_cast<uint16_t>(port));
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_.reset();
    return Unavailable("cannot listen for metrics on " + address + ":" + std::to_string(port) +
                       ": " + ec.message());
  }
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, Accept(impl_->acceptor, registry_), asio::detached);
  thread_ = std::thread([this] { impl_->io.run(); });
  return Status::Ok();
}

void MetricsServer::Stop() {
  if (!impl_) return;
  impl_->io.stop();
  if (thread_.joinable()) thread_.join();
  impl_.reset();
}

}  // namespace mlw::worker
