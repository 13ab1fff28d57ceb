// HttpClient against a loopback server: connection reuse, timeouts and transport errors.
#include "queue/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "fake_http_server.h"

namespace mlw::queue {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;

TEST(HttpClientTest, SequentialRequestsReuseOneConnection) {
  FakeHttpServer server([](const FakeRequest& r) {
    return FakeResponse{200, {{"X-Echo", r.method}}, r.Path() + "|" + r.body};
  });
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    Result<HttpResponse> r =
        client.Send({"POST", server.url() + "/p" + std::to_string(i), {}, "b", 0});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "/p" + std::to_string(i) + "|b");
    EXPECT_EQ(r->headers["x-echo"], "POST");
  }
  EXPECT_EQ(server.requests_served(), 5);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClientTest, ConcurrentCallersEachGetAnAnswer) {
  FakeHttpServer server([](const FakeRequest& r) { return FakeResponse{200, {}, r.body}; });
  HttpClient client;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string body = std::to_string(t) + ":" + std::to_string(i);
        Result<HttpResponse> r = client.Send({"PUT", server.url() + "/", {}, body, 0});
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->body, body);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(server.requests_served(), 40);
  EXPECT_LE(server.connections_accepted(), 4);  // at most one per concurrent caller
}

TEST(HttpClientTest, ErrorStatusesAreResponsesNotErrors) {
  FakeHttpServer server([](const FakeRequest&) { return FakeResponse{503, {}, "busy"}; });
  HttpClient client;
  Result<HttpResponse> r = client.Send({"GET", server.url() + "/", {}, "", 0});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
}

TEST(HttpClientTest, SlowServerHitsTheRequestTimeout) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  FakeHttpServer server([&](const FakeRequest&) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
    return FakeResponse{200, {}, "late"};
  });
  HttpClient client(HttpClientOptions{1000, 30000, 1 << 20, "t"});
  Result<HttpResponse> r = client.Send({"GET", server.url() + "/", {}, "", 200});
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().reason(), "Timeout");
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
}

TEST(HttpClientTest, RefusedConnectionIsUnavailable) {
  int port;
  {
    FakeHttpServer closed([](const FakeRequest&) { return FakeResponse{}; });
    port = closed.port();
  }
  HttpClient client;
  Result<HttpResponse> r =
      client.Send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, "", 0});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().reason(), "ConnectionError");
}

}  // namespace
}  // namespace mlw::queue
