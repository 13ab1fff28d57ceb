// Internal to the HTTP server: one accepted TCP connection serving requests one after another
// (keep-alive, no pipelining: the next request is read only after the previous response is
// written). All members run on the connection's strand.
#pragma once

#include <atomic>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/http_message.h"
#include "http/server.h"

namespace mlw::http::internal {

// Shared by the server and every responder it hands out, so that a responder that outlives the
// server (or is called while it stops) does nothing instead of touching a dead io_context.
struct ServerCore {
  std::mutex mu;
  bool running = true;  // guarded by mu
};

class Connection;

// What a connection needs from its server. The owner outlives every connection's handlers.
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual const ServerOptions& options() const = 0;
  virtual const Handler& handler() const = 0;
  virtual const std::shared_ptr<ServerCore>& core() const = 0;
  virtual bool stopping() const = 0;
  virtual void OnConnectionClosed(Connection* connection) = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ConnectionOwner* owner);

  // Starts reading the first request.
  void Start();
  // Closes now if idle; otherwise after the response in flight is written.
  void BeginShutdown();
  // Closes the socket, abandoning any request in flight.
  void ForceClose();
  // Writes the response of the request in flight. Runs on the strand.
  void WriteResponse(Response response);

  boost::asio::strand<boost::asio::any_io_executor>& strand() { return strand_; }

 private:
  void DoRead();
  void OnRead(boost::beast::error_code ec);
  void Dispatch();
  void RespondAndClose(int status, std::string body);
  void LogAccess(int status, size_t bytes_out);
  void OnWrite(boost::beast::error_code ec, bool keep_alive);
  // After a response that rejected the request, discards what the client still sends (bounded by
  // kLingerTime and kMaxLingerBytes), then closes.
  void Linger();
  void DrainSome();
  void Close();

  static constexpr std::chrono::seconds kLingerTime{5};
  static constexpr size_t kMaxLingerBytes = 64 * 1024 * 1024;

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  ConnectionOwner* owner_;
  std::string remote_address_;

  bool closed_ = false;
  bool stopping_ = false;
  bool in_flight_ = false;
  bool keep_alive_ = true;
  bool linger_ = false;
  size_t drained_ = 0;
  std::vector<char> discard_;
  // About the request in flight, for the access log.
  std::string request_id_;
  std::string method_;
  std::string path_;
  size_t bytes_in_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace mlw::http::internal
