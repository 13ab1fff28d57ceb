// The HTTP credential sources against loopback fakes of the ECS container endpoint and of EC2
// instance metadata (IMDSv2). Nothing here contacts 169.254.x: every endpoint is injected.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "core/clock.h"
#include "fake_http_server.h"
#include "queue/aws_credentials.h"
#include "queue/aws_credentials_remote.h"
#include "queue/sigv4.h"

namespace mlw::queue {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;

std::string CredentialsJson(const std::string& key, int64_t expiry_micros) {
  std::string expiration = sigv4::FormatAmzDate(expiry_micros);  // YYYYMMDDTHHMMSSZ
  std::string iso = expiration.substr(0, 4) + "-" + expiration.substr(4, 2) + "-" +
                    expiration.substr(6, 2) + "T" + expiration.substr(9, 2) + ":" +
                    expiration.substr(11, 2) + ":" + expiration.substr(13, 2) + "Z";
  return R"({"AccessKeyId":")" + key + R"(","SecretAccessKey":"secret-)" + key +
         R"(","Token":"token-)" + key + R"(","Expiration":")" + iso + R"("})";
}

TEST(ContainerEndpointTest, RelativeUriIsAppendedToTheEndpoint) {
  std::mutex mu;
  std::vector<std::string> paths;
  FakeHttpServer ecs([&](const FakeRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    paths.push_back(r.method + " " + r.target);
    return FakeResponse{200, {}, CredentialsJson("ECSKEY", 1900000000LL * 1000000)};
  });
  ContainerCredentialsProvider p(
      {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-1234"}}, ecs.url());
  Result<AwsCredentials> c = p.GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ECSKEY");
  EXPECT_EQ(c->secret_access_key, "secret-ECSKEY");
  EXPECT_EQ(c->session_token, "token-ECSKEY");
  EXPECT_EQ(c->expiry_micros, 1900000000LL * 1000000);
  EXPECT_EQ(c->source, "container");
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0], "GET /v2/credentials/task-1234");
}

TEST(ContainerEndpointTest, FullUriSendsTheAuthorizationTokenPreferringTheTokenFile) {
  std::atomic<int> requests{0};
  std::mutex mu;
  std::string seen_auth;
  FakeHttpServer eks([&](const FakeRequest& r) {
    ++requests;
    std::lock_guard<std::mutex> lock(mu);
    seen_auth = r.Header("Authorization");
    if (seen_auth != "file-token" && seen_auth != "env-token") {
      return FakeResponse{401, {}, R"({"message":"bad token"})"};
    }
    return FakeResponse{200, {}, CredentialsJson("PODKEY", 1900000000LL * 1000000)};
  });
  std::string token_file = ::testing::TempDir() + "/mlw_token_" + std::to_string(::getpid());
  std::ofstream(token_file) << "file-token\n";

  Environment env{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", eks.url() + "/creds"},
                  {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token"},
                  {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}};
  Result<AwsCredentials> c = ContainerCredentialsProvider(env, "http://127.0.0.1:1").GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "PODKEY");
  EXPECT_EQ(seen_auth, "file-token");

  env.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  ASSERT_TRUE(ContainerCredentialsProvider(env, "").GetCredentials().ok());
  EXPECT_EQ(seen_auth, "env-token");

  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong";
  Status denied = ContainerCredentialsProvider(env, "").GetCredentials().status();
  EXPECT_EQ(denied.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(denied.message().find("401"), std::string::npos);
  std::filesystem::remove(token_file);
}

// A fake IMDS that enforces the IMDSv2 protocol: token first, then the token on every GET.
class FakeImds {
 public:
  explicit FakeImds(const Clock& clock)
      : clock_(clock), server_([this](const FakeRequest& r) { return Handle(r); }) {}
  std::string url() const { return server_.url(); }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  std::atomic<int> issued{0};

 private:
  FakeResponse Handle(const FakeRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back(r.method + " " + r.target);
    }
    if (r.method == "PUT" && r.target == "/latest/api/token") {
      if (r.Header("X-aws-ec2-metadata-token-ttl-seconds").empty()) return {400, {}, ""};
      return {200, {}, "imds-session-token"};
    }
    if (r.Header("X-aws-ec2-metadata-token") != "imds-session-token") return {401, {}, ""};
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    if (r.method == "GET" && r.target == base) return {200, {}, "worker-role\n"};
    if (r.method == "GET" && r.target == base + "worker-role") {
      int n = ++issued;
      std::string body = CredentialsJson("IMDS" + std::to_string(n),
                                         clock_.NowMicros() + 6 * 3600 * 1000000LL);
      body.insert(1, R"("Code":"Success","Type":"AWS-HMAC",)");
      return {200, {}, body};
    }
    return {404, {}, ""};
  }

  const Clock& clock_;
  std::mutex mu_;
  std::vector<std::string> log_;
  FakeHttpServer server_;
};

TEST(ImdsTest, TokenThenRoleThenCredentials) {
  ManualClock clock;
  FakeImds imds(clock);
  ImdsCredentialsProvider p({}, imds.url());
  Result<AwsCredentials> c = p.GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "IMDS1");
  EXPECT_EQ(c->session_token, "token-IMDS1");
  EXPECT_EQ(c->source, "imds");
  std::vector<std::string> log = imds.log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "PUT /latest/api/token");
  EXPECT_EQ(log[1], "GET /latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(log[2], "GET /latest/meta-data/iam/security-credentials/worker-role");
}

TEST(ImdsTest, EndpointFromEnvironmentDisabledOrUnreachable) {
  ManualClock clock;
  FakeImds imds(clock);
  Environment env{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url() + "/"}};
  EXPECT_TRUE(ImdsCredentialsProvider(env, "").GetCredentials().ok());

  env["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_EQ(ImdsCredentialsProvider(env, "").GetCredentials().status().code(),
            StatusCode::kNotFound);

  int port;
  {
    FakeHttpServer gone([](const FakeRequest&) { return FakeResponse{}; });
    port = gone.port();
  }
  Status unreachable =
      ImdsCredentialsProvider({}, "http://127.0.0.1:" + std::to_string(port)).GetCredentials()
          .status();
  EXPECT_EQ(unreachable.code(), StatusCode::kNotFound);  // not on EC2: the chain moves on
}

TEST(DefaultChainTest, FallsThroughToImdsAndRefreshesBeforeExpiry) {
  ManualClock clock;
  FakeImds imds(clock);
  CredentialChainOptions options;
  options.environment = Environment{{"HOME", "/nonexistent-mlw-home"}};
  options.imds_endpoint = imds.url();
  options.clock = &clock;
  options.refresh_margin_seconds = 300;
  std::unique_ptr<CredentialsProvider> chain = MakeDefaultCredentialChain(options);

  EXPECT_EQ(chain->GetCredentials()->access_key_id, "IMDS1");
  clock.AdvanceSeconds(6 * 3600 - 301);
  EXPECT_EQ(chain->GetCredentials()->access_key_id, "IMDS1");
  EXPECT_EQ(imds.issued.load(), 1);
  clock.AdvanceSeconds(2);  // within 5 minutes of expiry
  EXPECT_EQ(chain->GetCredentials()->access_key_id, "IMDS2");
  EXPECT_EQ(imds.issued.load(), 2);
}

TEST(DefaultChainTest, ContainerEndpointComesBeforeImds) {
  ManualClock clock;
  FakeImds imds(clock);
  FakeHttpServer ecs([&](const FakeRequest&) {
    return FakeResponse{200, {}, CredentialsJson("ECSKEY", clock.NowMicros() + 3600 * 1000000LL)};
  });
  CredentialChainOptions options;
  options.environment = Environment{{"HOME", "/nonexistent-mlw-home"},
                                    {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}};
  options.container_endpoint = ecs.url();
  options.imds_endpoint = imds.url();
  options.clock = &clock;
  EXPECT_EQ(MakeDefaultCredentialChain(options)->GetCredentials()->access_key_id, "ECSKEY");
  EXPECT_TRUE(imds.log().empty());
}

}  // namespace
}  // namespace mlw::queue
