#include "queue/queue_factory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace mlw::queue {
namespace {

namespace fs = std::filesystem;

TEST(QueueFactoryTest, ParsesUrls) {
  Result<QueueUrl> u = ParseQueueUrl("SQLite:///data/queue.db?queue=ml-worker&sync=full");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "sqlite");
  EXPECT_EQ(u->rest, "/data/queue.db");
  EXPECT_EQ(u->query.at("queue"), "ml-worker");
  EXPECT_EQ(u->query.at("sync"), "full");
  u = ParseQueueUrl("sqlite://rel/q%20x.db?queue=a%2Db");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->rest, "rel/q%20x.db");  // backends decode their own part
  EXPECT_EQ(u->query.at("queue"), "a-b");
  EXPECT_FALSE(ParseQueueUrl("/just/a/path").ok());
  EXPECT_FALSE(ParseQueueUrl("sqlite://x?queue=%zz").ok());
}

TEST(QueueFactoryTest, OpensSqliteWithDefaultQueue) {
  std::string tmpl = (fs::temp_directory_path() / "mlw-factory-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;
  {
    // The parent directory is created on demand.
    Result<OpenedQueue> opened =
        OpenQueueService("sqlite://" + (dir / "sub" / "queue.db").string() + "?queue=ml-worker", {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->default_queue, "ml-worker");
    ASSERT_TRUE(opened->service->CreateQueue("ml-worker", {}).ok());
    EXPECT_TRUE(fs::exists(dir / "sub" / "queue.db"));
  }
  Result<OpenedQueue> plain = OpenQueueService("sqlite://" + (dir / "sub" / "queue.db").string(), {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->default_queue, "");
  Result<std::vector<std::string>> names = plain->service->ListQueues("");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"ml-worker"});
  plain->service.reset();
  fs::remove_all(dir);
}

TEST(QueueFactoryTest, RejectsUnknownSchemesAndParameters) {
  Result<OpenedQueue> r = OpenQueueService("ftp://host/x", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("sqlite://"), std::string::npos);
  EXPECT_NE(r.status().message().find("postgresql://"), std::string::npos);
  EXPECT_FALSE(OpenQueueService("sqlite://", {}).ok());
  EXPECT_FALSE(OpenQueueService("sqlite:///tmp/x.db?sync=sometimes", {}).ok());
  EXPECT_FALSE(OpenQueueService("sqlite:///tmp/x.db?colour=blue", {}).ok());
  EXPECT_FALSE(OpenQueueService("sqlite:///tmp/x.db?queue=bad.name", {}).ok());
}

TEST(QueueFactoryTest, RegisteredBackendsAreUsed) {
  std::string seen_rest;
  RegisterQueueBackend({"fake", "fakes"}, [&](const QueueUrl& url, const QueueFactoryOptions&)
                                              -> Result<OpenedQueue> {
    seen_rest = url.rest;
    return Unavailable("fake backend is down");
  });
  Result<OpenedQueue> r = OpenQueueService("fakes://host:1/000000000000/q", {});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(seen_rest, "host:1/000000000000/q");
}

}  // namespace
}  // namespace mlw::queue
