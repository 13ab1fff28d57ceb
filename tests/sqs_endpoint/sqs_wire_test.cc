// The endpoint as a process, driven over raw HTTP: input no SDK would send gets the SQS error a
// client expects, both protocols reach the same queues, and a message whose SendMessage returned
// survives kill -9.
#include <gtest/gtest.h>

#include <set>

#include "sqs_http_util.h"
#include "test_process.h"

namespace mlw::testing {
namespace {

using nlohmann::json;

class SqsWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(dir_.path(), {}, &error)) << error;
    client_ = std::make_unique<http::HttpClient>("127.0.0.1", server_.port());
  }

  http::ClientResponse Query(const std::string& method, const std::string& target,
                             const std::string& body = "") {
    auto res = client_->Send(method, target,
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, body);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : http::ClientResponse{};
  }

  TempDir dir_;
  ServeProcess server_;
  std::unique_ptr<http::HttpClient> client_;
};

TEST_F(SqsWireTest, MalformedJsonIsSerializationException) {
  JsonReply r = CallJson(*client_, "ListQueues", std::string("{\"QueueNamePrefix\":"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json["__type"], "com.amazon.coral.service#SerializationException");
  EXPECT_EQ(r.query_error, "SerializationException;Sender");
}

TEST_F(SqsWireTest, UnknownActionIsInvalidActionInBothProtocols) {
  JsonReply j = CallJson(*client_, "Frobnicate", json::object());
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(j.json["__type"], "com.amazonaws.sqs#InvalidAction");
  EXPECT_EQ(j.query_error, "InvalidAction;Sender");
  http::ClientResponse q = Query("POST", "/", "Action=Frobnicate&Version=2012-11-05");
  EXPECT_EQ(q.status, 400);
  EXPECT_NE(q.body.find("<Code>InvalidAction</Code>"), std::string::npos) << q.body;
  EXPECT_NE(q.body.find("<Type>Sender</Type>"), std::string::npos);
  http::ClientResponse none = Query("POST", "/", "QueueName=x");
  EXPECT_NE(none.body.find("<Code>InvalidAction</Code>"), std::string::npos) << none.body;
}

TEST_F(SqsWireTest, BrokenFormIsMalformedQueryString) {
  http::ClientResponse q = Query("POST", "/", "Action=ListQueues&QueueNamePrefix=%ZZ");
  EXPECT_EQ(q.status, 400);
  EXPECT_NE(q.body.find("<Code>MalformedQueryString</Code>"), std::string::npos) << q.body;
  http::ClientResponse flat = Query("POST", "/", "Action=ReceiveMessage&AttributeName.x=All");
  EXPECT_NE(flat.body.find("<Code>MalformedQueryString</Code>"), std::string::npos) << flat.body;
}

TEST_F(SqsWireTest, WrongTypesAndMissingMembersGetParameterErrors) {
  std::string url = MakeQueue(*client_, "types");
  JsonReply wrong = CallJson(*client_, "CreateQueue", json{{"QueueName", 5}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.query_error, "InvalidParameterValue;Sender");
  JsonReply missing = CallJson(*client_, "SendMessage", json{{"MessageBody", "x"}});
  EXPECT_EQ(missing.query_error, "MissingParameter;Sender") << missing.body;
  JsonReply no_body = CallJson(*client_, "SendMessage", json{{"QueueUrl", url}});
  EXPECT_EQ(no_body.query_error, "MissingParameter;Sender") << no_body.body;
  JsonReply bad_int = CallJson(*client_, "ReceiveMessage",
                               json{{"QueueUrl", url}, {"MaxNumberOfMessages", "many"}});
  EXPECT_EQ(bad_int.query_error, "InvalidParameterValue;Sender") << bad_int.body;
  JsonReply bad_url = CallJson(*client_, "SendMessage",
                               json{{"QueueUrl", "http://x/notaqueueurl"}, {"MessageBody", "x"}});
  EXPECT_EQ(bad_url.status, 404);
  EXPECT_EQ(bad_url.query_error, "InvalidAddress;Sender") << bad_url.body;
  JsonReply bad_arn = CallJson(*client_, "StartMessageMoveTask", json{{"SourceArn", "nope"}});
  EXPECT_EQ(bad_arn.query_error, "InvalidParameterValue;Sender") << bad_arn.body;
  JsonReply bad_b64 = CallJson(
      *client_, "SendMessage",
      json{{"QueueUrl", url},
           {"MessageBody", "x"},
           {"MessageAttributes", {{"b", {{"DataType", "Binary"}, {"BinaryValue", "***"}}}}}});
  EXPECT_EQ(bad_b64.query_error, "InvalidParameterValue;Sender") << bad_b64.body;
}

TEST_F(SqsWireTest, OversizedBodyIsRejectedAndServerStaysUp) {
  std::string huge(5 * 1024 * 1024, 'x');
  auto res = client_->Send(
      "POST", "/",
      {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "AmazonSQS.ListQueues"}},
      huge);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 413);
  JsonReply after = CallJson(*client_, "ListQueues", json::object());
  EXPECT_EQ(after.status, 200);
}

TEST_F(SqsWireTest, QueryGetAndPathQueueUrlReachTheSameQueueAsJson) {
  std::string url = MakeQueue(*client_, "mixed");
  std::string path = url.substr(url.find("/000000000000/"));
  http::ClientResponse sent = Query("GET", path + "?Action=SendMessage&MessageBody=hi%20there");
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_NE(sent.body.find("<MD5OfMessageBody>"), std::string::npos);
  EXPECT_NE(sent.body.find("xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\""),
            std::string::npos);
  EXPECT_NE(sent.body.find("<ResponseMetadata><RequestId>"), std::string::npos);
  JsonReply got = CallJson(*client_, "ReceiveMessage", json{{"QueueUrl", url}});
  ASSERT_EQ(got.status, 200) << got.body;
  ASSERT_EQ(got.json["Messages"].size(), 1u);
  EXPECT_EQ(got.json["Messages"][0]["Body"], "hi there");
  http::ClientResponse attrs = Query("POST", path, "Action=GetQueueAttributes&AttributeName.1=All");
  EXPECT_NE(attrs.body.find("<Name>ApproximateNumberOfMessagesNotVisible</Name><Value>1</Value>"),
            std::string::npos)
      << attrs.body;
  http::ClientResponse elsewhere = Query("POST", "/a/b/c", "Action=ListQueues");
  EXPECT_EQ(elsewhere.status, 404);
}

TEST_F(SqsWireTest, QueueUrlsUseTheHostTheClientUsed) {
  auto res = client_->Send("POST", "/",
                           {{"Content-Type", "application/x-amz-json-1.0"},
                            {"X-Amz-Target", "AmazonSQS.CreateQueue"},
                            {"Host", "localhost:" + std::to_string(server_.port())}},
                           R"({"QueueName":"hosted"})");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(json::parse(res->body)["QueueUrl"],
            "http://localhost:" + std::to_string(server_.port()) + "/000000000000/hosted");
}

TEST_F(SqsWireTest, SentMessagesSurviveKill9) {
  std::string url = MakeQueue(*client_, "durable");
  std::set<std::string> sent;
  for (int i = 0; i < 25; ++i) {
    std::string body = "durable-" + std::to_string(i);
    JsonReply r = CallJson(*client_, "SendMessage", json{{"QueueUrl", url}, {"MessageBody", body}});
    ASSERT_EQ(r.status, 200) << r.body;
    sent.insert(body);
  }
  server_.Kill9();
  client_.reset();

  ServeProcess restarted;
  std::string error;
  ASSERT_TRUE(restarted.Start(dir_.path(), {}, &error)) << error;
  http::HttpClient client("127.0.0.1", restarted.port());
  std::string new_url =
      "http://127.0.0.1:" + std::to_string(restarted.port()) + "/000000000000/durable";
  std::set<std::string> received;
  ASSERT_TRUE(WaitFor(
      [&] {
        JsonReply r = CallJson(client, "ReceiveMessage",
                               json{{"QueueUrl", new_url}, {"MaxNumberOfMessages", 10}});
        if (r.status != 200) return false;
        for (const auto& m : r.json.value("Messages", json::array())) received.insert(m["Body"]);
        return received.size() == sent.size();
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(received, sent);
}

}  // namespace
}  // namespace mlw::testing
