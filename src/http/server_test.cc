#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "http/client.h"

namespace mlw::http {
namespace {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Polls `condition` until it holds or `timeout` passes; returns its final value.
bool WaitFor(const std::function<bool()>& condition, milliseconds timeout = seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return condition();
}

// Keeps responders of requests to /park until the test releases them; answers everything else.
class ParkingHandler {
 public:
  void Handle(Request req, Responder respond) {
    if (req.path == "/park") {
      std::lock_guard<std::mutex> lock(mu_);
      parked_.push_back(std::move(respond));
      return;
    }
    if (req.path == "/drop") return;  // the responder dies here unanswered
    if (req.path == "/throw") throw std::runtime_error("boom");
    respond(Response::Text(200, req.method + " " + req.path + " " + req.body));
  }
  size_t parked() {
    std::lock_guard<std::mutex> lock(mu_);
    return parked_.size();
  }
  // Answers every parked request from a thread that is not an I/O thread.
  void ReleaseAll() {
    std::vector<Responder> all;
    {
      std::lock_guard<std::mutex> lock(mu_);
      all.swap(parked_);
    }
    std::thread([all = std::move(all)] {
      for (size_t i = 0; i < all.size(); ++i) all[i](Response::Text(200, "released"));
    }).join();
  }

 private:
  std::mutex mu_;
  std::vector<Responder> parked_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.access_log = false;
    server_ = std::make_unique<HttpServer>(
        options, [this](Request r, Responder s) { handler_.Handle(std::move(r), std::move(s)); });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    if (server_) server_->Stop(milliseconds(0));
  }

  ParkingHandler handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesRequestsOnOneKeepAliveConnection) {
  StartServer();
  HttpClient client("127.0.0.1", server_->port());
  for (int i = 0; i < 3; ++i) {
    auto res = client.Send("POST", "/echo?x=1", {}, "body" + std::to_string(i));
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /echo body" + std::to_string(i));
    EXPECT_EQ(res->Header("x-request-id").size(), 36u);
  }
  EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  ServerOptions options;
  options.body_limit = 1000;
  StartServer(options);
  HttpClient client("127.0.0.1", server_->port());
  // Far more than socket buffers hold: the server must read the rest before closing, or the
  // client would see a reset instead of the 413.
  auto res = client.Send("POST", "/echo", {}, std::string(8 * 1024 * 1024, 'x'));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 413);
  auto ok = client.Send("POST", "/echo", {}, std::string(900, 'x'));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, DroppedResponderAndThrowingHandlerGive500) {
  StartServer();
  HttpClient client("127.0.0.1", server_->port());
  auto dropped = client.Send("GET", "/drop", {}, "");
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->status, 500);
  auto thrown = client.Send("GET", "/throw", {}, "");
  ASSERT_TRUE(thrown.ok());
  EXPECT_EQ(thrown->status, 500);
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  StartServer();
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  asio::write(socket, asio::buffer(std::string("GARBAGE\x01 / HTTP/9\r\n\r\n")));
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  EXPECT_EQ(res.result_int(), 400u);
}

// The trap DESIGN.md warns about: hundreds of parked long polls must not starve other requests.
TEST_F(HttpServerTest, HundredsOfParkedRequestsDoNotStarveOthers) {
  StartServer();  // two I/O threads
  constexpr int kParked = 200;
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> sockets;
  const std::string request = "GET /park HTTP/1.1\r\nHost: test\r\n\r\n";
  for (int i = 0; i < kParked; ++i) {
    sockets.emplace_back(io);
    sockets.back().connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(sockets.back(), asio::buffer(request));
  }
  ASSERT_TRUE(WaitFor([&] { return handler_.parked() == kParked; })) << handler_.parked();

  HttpClient client("127.0.0.1", server_->port());
  auto res = client.Send("GET", "/ping", {}, "", seconds(5));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->body, "GET /ping ");

  handler_.ReleaseAll();
  for (auto& socket : sockets) {
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> parked_res;
    bhttp::read(socket, buffer, parked_res);
    EXPECT_EQ(parked_res.body(), "released");
  }
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
  ServerOptions options;
  options.idle_timeout = milliseconds(200);
  StartServer(options);
  HttpClient client("127.0.0.1", server_->port());
  ASSERT_TRUE(client.Send("GET", "/x", {}, "").ok());
  EXPECT_EQ(server_->open_connections(), 1u);
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
  // The client reconnects transparently.
  auto again = client.Send("GET", "/y", {}, "");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->status, 200);
}

TEST_F(HttpServerTest, GracefulStopFinishesRequestsInFlight) {
  StartServer();
  std::optional<Result<ClientResponse>> parked_result;
  std::thread parked_client([&] {
    HttpClient client("127.0.0.1", server_->port());
    parked_result = client.Send("GET", "/park", {}, "", seconds(10));
  });
  ASSERT_TRUE(WaitFor([&] { return handler_.parked() == 1; }));
  std::thread releaser([&] {
    // Released only once Stop() is under way: the server must still deliver it.
    WaitFor([&] {
      HttpClient probe("127.0.0.1", server_->port());
      return !probe.Send("GET", "/probe", {}, "", milliseconds(500)).ok();
    });
    handler_.ReleaseAll();
  });
  server_->Stop(seconds(10));
  releaser.join();
  parked_client.join();
  ASSERT_TRUE(parked_result.has_value());
  ASSERT_TRUE(parked_result->ok()) << parked_result->status().ToString();
  EXPECT_EQ((*parked_result)->body, "released");
}

TEST_F(HttpServerTest, StopGivesUpOnRequestsNeverAnsweredAfterGrace) {
  StartServer();
  std::optional<Result<ClientResponse>> parked_result;
  std::thread parked_client([&] {
    HttpClient client("127.0.0.1", server_->port());
    parked_result = client.Send("GET", "/park", {}, "", seconds(20));
  });
  ASSERT_TRUE(WaitFor([&] { return handler_.parked() == 1; }));
  server_->Stop(milliseconds(100));
  parked_client.join();
  ASSERT_TRUE(parked_result.has_value());
  EXPECT_FALSE(parked_result->ok());
  handler_.ReleaseAll();  // a late answer after stop is a harmless no-op
}

}  // namespace
}  // namespace mlw::http
