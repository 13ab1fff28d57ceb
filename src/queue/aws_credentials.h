// AWS credentials and the standard provider chain used to find them, in the order the AWS SDKs
// use: environment variables, the shared credentials/config files (AWS_PROFILE), the ECS/Fargate
// task-role endpoint, and EC2 instance metadata (IMDSv2). Temporary credentials are refreshed
// before they expire.
//
// The environment is an explicit value (Environment) handed to the chain: ProcessEnvironment() is
// the only place in this layer that reads the process environment, so tests inject their own and
// no provider calls getenv. Every network endpoint is an option, so tests point them at loopback
// fakes; nothing here ever contacts an address that the options or environment did not name,
// except the AWS defaults (169.254.170.2, 169.254.169.254) when those are left unset.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "queue/sigv4.h"

namespace mlw::queue {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;              // empty for long-term keys
  std::optional<int64_t> expiry_micros;   // unset: does not expire
  std::string source;                     // "environment", "profile:dev", "container", "imds"

  sigv4::Credentials ForSigning() const {
    return {access_key_id, secret_access_key, session_token};
  }
};

// Variable name -> value.
using Environment = std::map<std::string, std::string>;
// A snapshot of this process's environment; call it at the edge (CLI, factory) only.
Environment ProcessEnvironment();
// The value of `name`, or "" when unset.
std::string EnvValue(const Environment& env, const std::string& name);

// A source of credentials. GetCredentials returns kNotFound when the source is not configured
// (so that a chain moves on), and any other error when it is configured but failed.
// Thread-safety: implementations are safe to call from many threads.
class CredentialsProvider {
 public:
  CredentialsProvider() = default;
  CredentialsProvider(const CredentialsProvider&) = delete;
  CredentialsProvider& operator=(const CredentialsProvider&) = delete;
  virtual ~CredentialsProvider() = default;
  virtual Result<AwsCredentials> GetCredentials() = 0;
};

// Always returns the same credentials (explicit keys in configuration, tests).
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(AwsCredentials credentials)
      : credentials_(std::move(credentials)) {}
  Result<AwsCredentials> GetCredentials() override { return credentials_; }

 private:
  const AwsCredentials credentials_;
};

// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (AWS_SECURITY_TOKEN, the older
// name, is accepted too). One of the pair without the other is an error, not a fall-through.
class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(Environment env) : env_(std::move(env)) {}
  Result<AwsCredentials> GetCredentials() override;

 private:
  const Environment env_;
};

// Tries providers in order and returns the first that is configured. Its error, when every one is
// unconfigured, has reason "NoCredentialProviders" and names what was tried.
class ChainCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ChainCredentialsProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  Result<AwsCredentials> GetCredentials() override;

 private:
  const std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

// Caches the inner provider's credentials and refreshes them `refresh_margin_seconds` before they
// expire. If a refresh fails while the cached credentials are still valid, they keep being used
// (the failure is logged) and the next call tries again. Concurrent callers wait for one refresh
// instead of each starting their own.
class CachingCredentialsProvider final : public CredentialsProvider {
 public:
  CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> inner, const Clock& clock,
                             int64_t refresh_margin_seconds = 5 * 60)
      : inner_(std::move(inner)), clock_(clock), margin_micros_(refresh_margin_seconds * 1000000) {}
  Result<AwsCredentials> GetCredentials() override;

 private:
  const std::unique_ptr<CredentialsProvider> inner_;
  const Clock& clock_;
  const int64_t margin_micros_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;  // GUARDED_BY(mu_)
};

struct CredentialChainOptions {
  // The environment the chain reads; unset means ProcessEnvironment() at construction.
  std::optional<Environment> environment;
  // Clock for expiry; must outlive the chain. Default: the system clock.
  const Clock* clock = nullptr;
  // Base URL of the ECS container credentials endpoint used with
  // AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
  std::string container_endpoint = "http://169.254.170.2";
  // Base URL of EC2 instance metadata; empty means AWS_EC2_METADATA_SERVICE_ENDPOINT or
  // http://169.254.169.254. Set AWS_EC2_METADATA_DISABLED=true to skip IMDS entirely.
  std::string imds_endpoint;
  // Limits for the metadata endpoints, which are local and answer fast or not at all.
  int64_t metadata_connect_timeout_ms = 1000;
  int64_t metadata_timeout_ms = 2000;
  int metadata_attempts = 2;
  int64_t refresh_margin_seconds = 5 * 60;
};

// The standard chain (environment, profile files, container endpoint, IMDSv2) behind a cache.
std::unique_ptr<CredentialsProvider> MakeDefaultCredentialChain(CredentialChainOptions options);

}  // namespace mlw::queue
