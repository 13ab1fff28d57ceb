#include "queue/aws_credentials.h"

#include <unistd.h>

#include "core/log.h"
#include "queue/aws_credentials_profile.h"
#include "queue/aws_credentials_remote.h"

extern char** environ;  // POSIX

namespace mlw::queue {

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::string EnvValue(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

Result<AwsCredentials> EnvironmentCredentialsProvider::GetCredentials() {
  std::string id = EnvValue(env_, "AWS_ACCESS_KEY_ID");
  std::string secret = EnvValue(env_, "AWS_SECRET_ACCESS_KEY");
  if (id.empty() && secret.empty()) return NotFound("AWS_ACCESS_KEY_ID is not set");
  if (id.empty() || secret.empty()) {
    return InvalidArgument(std::string(id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                               " is not set but " +
                               (id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                               " is: set both, or neither to use another credential source",
                           "IncompleteCredentials");
  }
  std::string token = EnvValue(env_, "AWS_SESSION_TOKEN");
  if (token.empty()) token = EnvValue(env_, "AWS_SECURITY_TOKEN");
  return AwsCredentials{id, secret, token, std::nullopt, "environment"};
}

Result<AwsCredentials> ChainCredentialsProvider::GetCredentials() {
  std::string tried;
  for (const auto& provider : providers_) {
    Result<AwsCredentials> creds = provider->GetCredentials();
    if (creds.ok()) return creds;
    if (creds.status().code() != StatusCode::kNotFound) return creds.status();
    if (!tried.empty()) tried += "; ";
    tried += creds.status().message();
  }
  return Status(StatusCode::kUnauthenticated, "no AWS credentials found (" + tried + ")",
                "NoCredentialProviders");
}

Result<AwsCredentials> CachingCredentialsProvider::GetCredentials() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_.NowMicros();
  auto fresh = [&](const AwsCredentials& c) {
    return !c.expiry_micros || now < *c.expiry_micros - margin_micros_;
  };
  if (cached_ && fresh(*cached_)) return *cached_;
  Result<AwsCredentials> next = inner_->GetCredentials();
  if (next.ok()) {
    cached_ = *next;
    return next;
  }
  if (cached_ && (!cached_->expiry_micros || now < *cached_->expiry_micros)) {
    log::Warn("aws_credentials_refresh_failed",
              {{"source", cached_->source}, {"error", next.status().ToString()},
               {"expires_in_s", (*cached_->expiry_micros - now) / 1000000}});
    return *cached_;
  }
  return next.status();
}

std::unique_ptr<CredentialsProvider> MakeDefaultCredentialChain(CredentialChainOptions options) {
  Environment env = options.environment ? *options.environment : ProcessEnvironment();
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Default();
  MetadataClientOptions metadata{options.metadata_connect_timeout_ms, options.metadata_timeout_ms,
                                 options.metadata_attempts};
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(std::make_unique<EnvironmentCredentialsProvider>(env));
  chain.push_back(std::make_unique<ProfileCredentialsProvider>(env));
  chain.push_back(
      std::make_unique<ContainerCredentialsProvider>(env, options.container_endpoint, metadata));
  chain.push_back(std::make_unique<ImdsCredentialsProvider>(env, options.imds_endpoint, metadata));
  return std::make_unique<CachingCredentialsProvider>(
      std::make_unique<ChainCredentialsProvider>(std::move(chain)), clock,
      options.refresh_margin_seconds);
}

}  // namespace mlw::queue
