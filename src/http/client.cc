#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace mlw::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the queued asynchronous operations to completion.
  void Run() {
    io.restart();
    io.run();
  }

  Status Connect(std::chrono::milliseconds timeout) {
    stream.emplace(io);
    buffer.clear();
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return Unavailable("cannot resolve " + host + ": " + ec.message());
    stream->expires_after(timeout);
    stream->async_connect(endpoints, [&ec](boost::system::error_code e, auto) { ec = e; });
    Run();
    if (ec) {
      stream.reset();
      if (ec == beast::error::timeout)
        return Status(StatusCode::kDeadlineExceeded, "connect timed out");
      return Unavailable("cannot connect to " + host + ":" + std::to_string(port) + ": " +
                         ec.message());
    }
    return Status::Ok();
  }

  // One exchange on the current connection. `retryable` is set when the failure looks like a
  // kept-alive connection closed by the server before it saw the request.
  Result<ClientResponse> Exchange(const bhttp::request<bhttp::string_body>& req,
                                  std::chrono::milliseconds timeout, bool* retryable) {
    *retryable = false;
    boost::system::error_code ec;
    stream->expires_after(timeout);
    bhttp::async_write(*stream, req, [&ec](boost::system::error_code e, size_t) { ec = e; });
    Run();
    if (!ec) {
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      bhttp::async_read(*stream, buffer, parser,
                        [&ec](boost::system::error_code e, size_t) { ec = e; });
      Run();
      if (!ec) {
        auto& res = parser.get();
        ClientResponse out;
        out.status = static_cast<int>(res.result_int());
        for (const auto& field : res) {
          out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        out.body = std::move(res.body());
        if (!res.keep_alive()) stream.reset();
        return out;
      }
      *retryable = !parser.got_some() && ec != beast::error::timeout;
    } else {
      *retryable = ec != beast::error::timeout;
    }
    stream.reset();
    if (ec == beast::error::timeout)
      return Status(StatusCode::kDeadlineExceeded, "request timed out");
    return Unavailable("HTTP exchange failed: " + ec.message());
  }
};

HttpClient::HttpClient(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

void HttpClient::Close() { impl_->stream.reset(); }

Result<ClientResponse> HttpClient::Send(const std::string& method, const std::string& target,
                                        const HeaderList& headers, const std::string& body,
                                        std::chrono::milliseconds timeout) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.keep_alive(true);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (req.find(bhttp::field::host) == req.end()) {
    req.set(bhttp::field::host, impl_->host + ":" + std::to_string(impl_->port));
  }
  req.body() = body;
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!reused) MLW_RETURN_IF_ERROR(impl_->Connect(timeout));
    bool retryable = false;
    Result<ClientResponse> result = impl_->Exchange(req, timeout, &retryable);
    if (result.ok() || !(reused && retryable)) return result;
  }
  return Unavailable("HTTP exchange failed after reconnect");
}

}  // namespace mlw::http
