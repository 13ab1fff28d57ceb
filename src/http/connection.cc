#include "http/connection.h"

#include <boost/asio/post.hpp>
#include <exception>
#include <utility>

#include "core/log.h"
#include "http/request_id.h"

namespace mlw::http::internal {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// One responder per request; see the Responder contract in http_message.h.
class ResponseSlot {
 public:
  ResponseSlot(std::weak_ptr<Connection> connection, std::shared_ptr<ServerCore> core)
      : connection_(std::move(connection)), core_(std::move(core)) {}
  ~ResponseSlot() {
    if (!done_.exchange(true)) {
      Deliver(Response::Text(500, "the request handler dropped the request\n"));
    }
  }
  void Respond(Response response) {
    if (done_.exchange(true)) return;
    Deliver(std::move(response));
  }

 private:
  void Deliver(Response response) {
    std::shared_ptr<Connection> connection = connection_.lock();
    if (!connection) return;
    std::lock_guard<std::mutex> lock(core_->mu);
    if (!core_->running) return;
    asio::post(connection->strand(), [connection, response = std::move(response)]() mutable {
      connection->WriteResponse(std::move(response));
    });
  }

  std::weak_ptr<Connection> connection_;
  std::shared_ptr<ServerCore> core_;
  std::atomic<bool> done_{false};
};

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ConnectionOwner* owner)
    : strand_(asio::make_strand(socket.get_executor())), stream_(std::move(socket)), owner_(owner) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
}

void Connection::Start() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->DoRead(); });
}

void Connection::BeginShutdown() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    if (!self->in_flight_) self->Close();
  });
}

void Connection::ForceClose() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->Close(); });
}

void Connection::DoRead() {
  if (closed_) return;
  if (stopping_ || owner_->stopping()) {
    Close();
    return;
  }
  parser_.emplace();
  parser_->body_limit(owner_->options().body_limit);
  parser_->header_limit(64 * 1024);
  stream_.expires_after(owner_->options().idle_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      asio::bind_executor(strand_, [self = shared_from_this()](beast::error_code ec, size_t) {
        self->OnRead(ec);
      }));
}

void Connection::OnRead(beast::error_code ec) {
  if (closed_) return;
  if (ec == bhttp::error::body_limit) {
    RespondAndClose(413, "request body exceeds the limit\n");
    return;
  }
  if (ec == bhttp::error::header_limit) {
    RespondAndClose(431, "request headers too large\n");
    return;
  }
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
      ec == asio::error::eof) {
    Close();
    return;
  }
  if (ec) {
    if (buffer_.size() == 0 && !parser_->got_some()) {
      Close();
    } else {
      RespondAndClose(400, "malformed HTTP request\n");
    }
    return;
  }
  Dispatch();
}

void Connection::Dispatch() {
  auto& raw = parser_->get();
  Request request;
  request.method = std::string(raw.method_string());
  request.target = std::string(raw.target());
  size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) request.query = request.target.substr(q + 1);
  for (const auto& field : raw) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(raw.body());
  request.request_id = NewRequestId();
  request.remote_address = remote_address_;

  keep_alive_ = raw.keep_alive();
  in_flight_ = true;
  request_id_ = request.request_id;
  method_ = request.method;
  path_ = request.path;
  bytes_in_ = request.body.size();
  started_ = std::chrono::steady_clock::now();
  stream_.expires_never();  // a parked request may wait as long as its handler decides

  auto slot = std::make_shared<ResponseSlot>(weak_from_this(), owner_->core());
  Responder responder = [slot](Response response) { slot->Respond(std::move(response)); };
  try {
    owner_->handler()(std::move(request), std::move(responder));
  } catch (const std::exception& e) {
    log::Error("http_handler_exception", {{"request_id", request_id_}, {"what", e.what()}});
    slot->Respond(Response::Text(500, "internal error\n"));
  }
}

void Connection::RespondAndClose(int status, std::string body) {
  keep_alive_ = false;
  // The client may still be sending the rejected body; reading it before closing lets the client
  // finish writing and see this response instead of a connection reset.
  linger_ = true;
  in_flight_ = true;
  request_id_ = NewRequestId();
  if (parser_ && parser_->is_header_done()) {
    method_ = std::string(parser_->get().method_string());
    std::string target(parser_->get().target());
    path_ = target.substr(0, target.find('?'));
  }
  started_ = std::chrono::steady_clock::now();
  WriteResponse(Response::Text(status, std::move(body)));
}

void Connection::WriteResponse(Response response) {
  if (closed_ || !in_flight_) return;
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
  res->version(11);
  res->result(static_cast<unsigned>(response.status));
  res->set(bhttp::field::server, "mlworker");
  for (auto& [name, value] : response.headers) res->set(name, value);
  if (res->find("x-request-id") == res->end()) res->set("x-request-id", request_id_);
  res->body() = std::move(response.body);
  res->keep_alive(keep_alive_ && !stopping_ && !owner_->stopping());
  res->prepare_payload();
  stream_.expires_after(owner_->options().write_timeout);
  bhttp::async_write(stream_, *res,
                     asio::bind_executor(strand_, [self = shared_from_this(), res](
                                                      beast::error_code ec, size_t bytes) {
                       self->LogAccess(res->result_int(), bytes);
                       self->OnWrite(ec, res->keep_alive());
                     }));
}

void Connection::LogAccess(int status, size_t bytes_out) {
  if (!owner_->options().access_log) return;
  double ms = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - started_)
                  .count() /
              1000.0;
  log::Info("http_access", {{"server", owner_->options().name},
                            {"request_id", request_id_},
                            {"method", method_},
                            {"path", path_},
                            {"status", status},
                            {"bytes_in", bytes_in_},
                            {"bytes_out", bytes_out},
                            {"ms", ms},
                            {"remote", remote_address_}});
}

void Connection::OnWrite(beast::error_code ec, bool keep_alive) {
  in_flight_ = false;
  if (!ec && !keep_alive && linger_) {
    Linger();
    return;
  }
  if (ec || !keep_alive) {
    Close();
    return;
  }
  DoRead();
}

void Connection::Linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  discard_.resize(16 * 1024);
  DrainSome();
}

void Connection::DrainSome() {
  stream_.async_read_some(
      asio::buffer(discard_),
      asio::bind_executor(strand_, [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->drained_ += n;
        if (ec || self->drained_ > kMaxLingerBytes) {
          self->Close();
          return;
        }
        self->DrainSome();
      }));
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  owner_->OnConnectionClosed(this);
}

}  // namespace mlw::http::internal
