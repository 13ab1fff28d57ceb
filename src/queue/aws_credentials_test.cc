#include "queue/aws_credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "queue/aws_credentials_profile.h"
#include "queue/aws_credentials_remote.h"

namespace mlw::queue {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mlw_creds_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(EnvironmentCredentialsTest, ReadsKeysAndSessionToken) {
  EnvironmentCredentialsProvider p(
      {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "SECRET"},
       {"AWS_SESSION_TOKEN", "TOKEN"}});
  Result<AwsCredentials> c = p.GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->secret_access_key, "SECRET");
  EXPECT_EQ(c->session_token, "TOKEN");
  EXPECT_FALSE(c->expiry_micros.has_value());
  EXPECT_EQ(c->source, "environment");
}

TEST(EnvironmentCredentialsTest, UnsetIsNotFoundAndHalfSetIsAnError) {
  EXPECT_EQ(EnvironmentCredentialsProvider({}).GetCredentials().status().code(),
            StatusCode::kNotFound);
  Status half = EnvironmentCredentialsProvider(Environment{{"AWS_ACCESS_KEY_ID", "AKID"}})
                    .GetCredentials()
                    .status();
  EXPECT_EQ(half.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(half.message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(ProfileCredentialsTest, CredentialsFileProfileWinsOverConfigFile) {
  TempDir dir;
  std::string creds = dir.Write("credentials",
                                "# comment\n[default]\naws_access_key_id = DEFAULTKEY\n"
                                "aws_secret_access_key = defaultsecret\n\n"
                                "[dev]\naws_access_key_id=DEVKEY\naws_secret_access_key=devsecret\n"
                                "aws_session_token = devtoken\n");
  std::string config = dir.Write("config",
                                 "[profile dev]\nregion = eu-west-1\naws_access_key_id = NOTTHIS\n"
                                 "aws_secret_access_key = nope\ns3 =\n  max_concurrent_requests = 2\n"
                                 "[profile cfgonly]\naws_access_key_id = CFGKEY\n"
                                 "aws_secret_access_key = cfgsecret\n");
  Environment env{{"AWS_SHARED_CREDENTIALS_FILE", creds}, {"AWS_CONFIG_FILE", config},
                  {"AWS_PROFILE", "dev"}};
  Result<AwsCredentials> dev = ProfileCredentialsProvider(env).GetCredentials();
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(dev->access_key_id, "DEVKEY");
  EXPECT_EQ(dev->secret_access_key, "devsecret");
  EXPECT_EQ(dev->session_token, "devtoken");
  EXPECT_EQ(dev->source, "profile:dev");
  EXPECT_EQ(ProfileRegion(env), "eu-west-1");

  env["AWS_PROFILE"] = "cfgonly";
  Result<AwsCredentials> cfg = ProfileCredentialsProvider(env).GetCredentials();
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->access_key_id, "CFGKEY");

  env.erase("AWS_PROFILE");
  Result<AwsCredentials> def = ProfileCredentialsProvider(env).GetCredentials();
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->access_key_id, "DEFAULTKEY");
}

TEST(ProfileCredentialsTest, HomeDirectoryDefaultsAndMissingProfiles) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/.aws");
  dir.Write(".aws/credentials", "[default]\naws_access_key_id=HOMEKEY\naws_secret_access_key=s\n");
  Environment env{{"HOME", dir.path()}};
  Result<AwsCredentials> c = ProfileCredentialsProvider(env).GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "HOMEKEY");

  env["AWS_PROFILE"] = "nosuch";
  Status missing = ProfileCredentialsProvider(env).GetCredentials().status();
  EXPECT_EQ(missing.reason(), "ProfileNotFound");
  EXPECT_NE(missing.message().find("nosuch"), std::string::npos);

  Environment empty_home{{"HOME", dir.path() + "/nothing-here"}};
  EXPECT_EQ(ProfileCredentialsProvider(empty_home).GetCredentials().status().code(),
            StatusCode::kNotFound);
}

TEST(ProfileCredentialsTest, UnsupportedMechanismsFailClearly) {
  TempDir dir;
  std::string config = dir.Write(
      "config", "[profile role]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n");
  Environment env{{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "role"},
                  {"AWS_SHARED_CREDENTIALS_FILE", dir.path() + "/none"}};
  Status s = ProfileCredentialsProvider(env).GetCredentials().status();
  EXPECT_EQ(s.reason(), "UnsupportedCredentialSource");
  EXPECT_NE(s.message().find("role_arn"), std::string::npos);
}

// A provider that hands out numbered credentials expiring `lifetime_s` after the clock's now.
class CountingProvider : public CredentialsProvider {
 public:
  CountingProvider(const Clock& clock, int64_t lifetime_s) : clock_(clock), lifetime_s_(lifetime_s) {}
  Result<AwsCredentials> GetCredentials() override {
    int n = ++calls;
    if (fail) return Unavailable("endpoint down");
    return AwsCredentials{"KEY" + std::to_string(n), "s", "t",
                          clock_.NowMicros() + lifetime_s_ * 1000000, "test"};
  }
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};

 private:
  const Clock& clock_;
  const int64_t lifetime_s_;
};

TEST(CachingCredentialsTest, RefreshesBeforeExpiryAndKeepsValidOnFailure) {
  ManualClock clock;
  auto inner = std::make_unique<CountingProvider>(clock, 3600);
  CountingProvider* counter = inner.get();
  CachingCredentialsProvider cache(std::move(inner), clock, /*refresh_margin_seconds=*/300);

  EXPECT_EQ(cache.GetCredentials()->access_key_id, "KEY1");
  clock.AdvanceSeconds(3600 - 301);  // still outside the refresh margin
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "KEY1");
  EXPECT_EQ(counter->calls.load(), 1);

  clock.AdvanceSeconds(2);  // inside the margin: refresh ahead of expiry
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "KEY2");
  EXPECT_EQ(counter->calls.load(), 2);

  counter->fail = true;
  clock.AdvanceSeconds(3600 - 200);  // KEY2 in margin but not expired: refresh fails, keep it
  Result<AwsCredentials> kept = cache.GetCredentials();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->access_key_id, "KEY2");
  clock.AdvanceSeconds(300);  // now expired: the failure surfaces
  EXPECT_EQ(cache.GetCredentials().status().code(), StatusCode::kUnavailable);

  counter->fail = false;
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "KEY5");
}

TEST(CachingCredentialsTest, ConcurrentCallersShareOneFetch) {
  ManualClock clock;
  auto inner = std::make_unique<CountingProvider>(clock, 3600);
  CountingProvider* counter = inner.get();
  CachingCredentialsProvider cache(std::move(inner), clock);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) EXPECT_EQ(cache.GetCredentials()->access_key_id, "KEY1");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter->calls.load(), 1);
}

TEST(CredentialChainTest, FirstConfiguredSourceWinsAndNoneIsUnauthenticated) {
  TempDir dir;
  std::string creds =
      dir.Write("credentials", "[default]\naws_access_key_id=FILEKEY\naws_secret_access_key=s\n");
  ManualClock clock;
  Environment env{{"AWS_SHARED_CREDENTIALS_FILE", creds},
                  {"AWS_CONFIG_FILE", dir.path() + "/none"},
                  {"AWS_EC2_METADATA_DISABLED", "true"}};
  CredentialChainOptions options;
  options.clock = &clock;
  options.environment = env;
  EXPECT_EQ(MakeDefaultCredentialChain(options)->GetCredentials()->access_key_id, "FILEKEY");

  env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env["AWS_SECRET_ACCESS_KEY"] = "s";
  options.environment = env;
  EXPECT_EQ(MakeDefaultCredentialChain(options)->GetCredentials()->access_key_id, "ENVKEY");

  options.environment = Environment{{"AWS_EC2_METADATA_DISABLED", "true"},
                                    {"HOME", dir.path() + "/nothing"}};
  Status none = MakeDefaultCredentialChain(options)->GetCredentials().status();
  EXPECT_EQ(none.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(none.reason(), "NoCredentialProviders");
}

TEST(Iso8601Test, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(ParseIso8601("2015-08-30T12:36:00Z"), 1440938160LL * 1000000);
  EXPECT_EQ(ParseIso8601("2015-08-30T12:36:00.250Z"), 1440938160LL * 1000000 + 250000);
  EXPECT_EQ(ParseIso8601("2015-08-30T14:36:00+02:00"), 1440938160LL * 1000000);
  EXPECT_FALSE(ParseIso8601("2015-08-30 12:36").has_value());
  EXPECT_FALSE(ParseIso8601("2015-02-30T12:36:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2015-08-30T12:36:00").has_value());
}

TEST(ContainerCredentialsTest, RejectsPlainHttpToNonLocalHostsWithoutConnecting) {
  ContainerCredentialsProvider p(
      {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}, "http://127.0.0.1:1");
  Status s = p.GetCredentials().status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("https"), std::string::npos);
  EXPECT_EQ(ContainerCredentialsProvider({}, "http://127.0.0.1:1").GetCredentials().status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlw::queue
