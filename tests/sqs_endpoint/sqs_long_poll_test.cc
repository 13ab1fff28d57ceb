// Long polls on an in-process endpoint over the SQLite backend, where the test can see how many
// polls are parked: wake-up on a send from another client, wake-up on visibility expiry, hundreds
// of parked polls next to normal traffic, answers at the deadline and at shutdown.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <optional>
#include <thread>

#include "queue/queue_factory.h"
#include "queue/sqs_server.h"
#include "sqs_http_util.h"
#include "test_process.h"

namespace mlw::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

class SqsLongPollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = queue::OpenQueueService("sqlite://" + dir_.path() + "/queue.db", {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    service_ = std::move(opened->service);
    queue::SqsServerOptions options;
    options.http.port = 0;
    options.http.access_log = false;
    server_ = std::make_unique<queue::SqsServer>(service_.get(), options);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<http::HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    if (server_) server_->Stop(seconds(2));
  }

  std::unique_ptr<http::HttpClient> NewClient() {
    return std::make_unique<http::HttpClient>("127.0.0.1", server_->port());
  }

  TempDir dir_;
  std::unique_ptr<queue::QueueService> service_;
  std::unique_ptr<queue::SqsServer> server_;
  std::unique_ptr<http::HttpClient> client_;
};

TEST_F(SqsLongPollTest, ParkedPollReturnsSoonAfterASendFromAnotherClient) {
  std::string url = MakeQueue(*client_, "wake");
  std::optional<JsonReply> polled;
  SteadyClock::time_point returned_at;
  std::thread poller([&] {
    auto c = NewClient();
    polled = CallJson(*c, "ReceiveMessage", json{{"QueueUrl", url}, {"WaitTimeSeconds", 20}},
                      seconds(40));
    returned_at = SteadyClock::now();
  });
  ASSERT_TRUE(WaitFor([&] { return server_->parked_polls() == 1; }));
  auto sent_at = SteadyClock::now();
  JsonReply sent =
      CallJson(*client_, "SendMessage", json{{"QueueUrl", url}, {"MessageBody", "go"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  poller.join();
  ASSERT_TRUE(polled.has_value());
  ASSERT_EQ(polled->status, 200) << polled->body;
  ASSERT_EQ(polled->json["Messages"].size(), 1u) << polled->body;
  EXPECT_EQ(polled->json["Messages"][0]["Body"], "go");
  auto latency = std::chrono::duration_cast<milliseconds>(returned_at - sent_at);
  std::cout << "long poll returned " << latency.count() << " ms after the send started\n";
  // Functional bound only: far below the 20 s wait, so the send woke the poll.
  EXPECT_LT(latency, seconds(10));
  EXPECT_EQ(server_->parked_polls(), 0u);
}

TEST_F(SqsLongPollTest, VisibilityExpiryWakesAParkedPoll) {
  std::string url = MakeQueue(*client_, "expiry");
  ASSERT_EQ(CallJson(*client_, "SendMessage", json{{"QueueUrl", url}, {"MessageBody", "m"}}).status,
            200);
  JsonReply first =
      CallJson(*client_, "ReceiveMessage", json{{"QueueUrl", url}, {"VisibilityTimeout", 1}});
  ASSERT_EQ(first.json["Messages"].size(), 1u);
  auto start = SteadyClock::now();
  JsonReply again = CallJson(*client_, "ReceiveMessage",
                             json{{"QueueUrl", url},
                                  {"WaitTimeSeconds", 15},
                                  {"AttributeNames", {"ApproximateReceiveCount"}}},
                             seconds(30));
  ASSERT_EQ(again.json["Messages"].size(), 1u) << again.body;
  EXPECT_EQ(again.json["Messages"][0]["Attributes"]["ApproximateReceiveCount"], "2");
  EXPECT_LT(SteadyClock::now() - start, seconds(10));
}

TEST_F(SqsLongPollTest, HundredsOfParkedPollsDoNotStarveOtherRequests) {
  std::string url = MakeQueue(*client_, "crowd");
  constexpr int kPolls = 200;
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> sockets;
  std::string body = json{{"QueueUrl", url}, {"WaitTimeSeconds", 20}}.dump();
  std::string request =
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
      "X-Amz-Target: AmazonSQS.ReceiveMessage\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  for (int i = 0; i < kPolls; ++i) {
    sockets.emplace_back(io);
    sockets.back().connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
    boost::asio::write(sockets.back(), boost::asio::buffer(request));
  }
  ASSERT_TRUE(WaitFor([&] { return server_->parked_polls() == kPolls; }, seconds(30)))
      << server_->parked_polls();

  // Other requests are answered while all of them wait.
  std::string other = MakeQueue(*client_, "other");
  JsonReply list = CallJson(*client_, "ListQueues", json::object(), seconds(5));
  EXPECT_EQ(list.status, 200);
  JsonReply sent = CallJson(*client_, "SendMessage",
                            json{{"QueueUrl", other}, {"MessageBody", "x"}}, seconds(5));
  EXPECT_EQ(sent.status, 200);

  // One message per parked poll, in batches of ten: every poll gets exactly one.
  for (int b = 0; b < kPolls / 10; ++b) {
    json entries = json::array();
    for (int i = 0; i < 10; ++i) {
      entries.push_back(
          {{"Id", "e" + std::to_string(i)}, {"MessageBody", std::to_string(b * 10 + i)}});
    }
    JsonReply r =
        CallJson(*client_, "SendMessageBatch", json{{"QueueUrl", url}, {"Entries", entries}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::set<std::string> bodies;
  for (auto& socket : sockets) {
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::http::read(socket, buffer, res);
    json out = json::parse(res.body());
    ASSERT_EQ(out["Messages"].size(), 1u) << res.body();
    bodies.insert(out["Messages"][0]["Body"].get<std::string>());
  }
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kPolls));
  EXPECT_EQ(server_->parked_polls(), 0u);
}

TEST_F(SqsLongPollTest, PollIsAnsweredEmptyAtItsDeadline) {
  std::string url = MakeQueue(*client_, "quiet", {{"ReceiveMessageWaitTimeSeconds", "1"}});
  // No WaitTimeSeconds: the queue's ReceiveMessageWaitTimeSeconds applies.
  JsonReply r = CallJson(*client_, "ReceiveMessage", json{{"QueueUrl", url}}, seconds(10));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json, json::object());
  EXPECT_EQ(server_->parked_polls(), 0u);
}

TEST_F(SqsLongPollTest, StopAnswersParkedPollsEmpty) {
  std::string url = MakeQueue(*client_, "stopping");
  std::optional<JsonReply> polled;
  std::thread poller([&] {
    auto c = NewClient();
    polled = CallJson(*c, "ReceiveMessage", json{{"QueueUrl", url}, {"WaitTimeSeconds", 20}},
                      seconds(40));
  });
  ASSERT_TRUE(WaitFor([&] { return server_->parked_polls() == 1; }));
  server_->Stop(seconds(5));
  poller.join();
  ASSERT_TRUE(polled.has_value());
  EXPECT_EQ(polled->status, 200);
  EXPECT_EQ(polled->json, json::object());
}

TEST_F(SqsLongPollTest, PollOnADeletedQueueFailsWithQueueDoesNotExist) {
  std::string url = MakeQueue(*client_, "vanishing");
  std::optional<JsonReply> polled;
  std::thread poller([&] {
    auto c = NewClient();
    polled = CallJson(*c, "ReceiveMessage", json{{"QueueUrl", url}, {"WaitTimeSeconds", 20}},
                      seconds(40));
  });
  ASSERT_TRUE(WaitFor([&] { return server_->parked_polls() == 1; }));
  ASSERT_EQ(CallJson(*client_, "DeleteQueue", json{{"QueueUrl", url}}).status, 200);
  poller.join();
  ASSERT_TRUE(polled.has_value());
  EXPECT_EQ(polled->query_error, "AWS.SimpleQueueService.NonExistentQueue;Sender") << polled->body;
}

}  // namespace
}  // namespace mlw::testing
