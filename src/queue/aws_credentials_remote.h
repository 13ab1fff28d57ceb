// Credentials served over HTTP by the platform: the ECS/Fargate task-role endpoint and EC2
// instance metadata (IMDSv2 only: a session token from PUT /latest/api/token, then the role name
// and its credentials). Both return temporary credentials with an expiry; wrap them in
// CachingCredentialsProvider so they are refreshed before it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "queue/aws_credentials.h"
#include "queue/http_client.h"

namespace mlw::queue {

// Parses an RFC 3339 / ISO 8601 UTC time ("2015-08-30T12:36:00Z", optional fractional seconds,
// "Z" or a numeric offset) into Unix microseconds.
std::optional<int64_t> ParseIso8601(std::string_view text);

struct MetadataClientOptions {
  int64_t connect_timeout_ms = 1000;
  int64_t timeout_ms = 2000;
  int attempts = 2;  // tries per request on connection errors and 5xx
};

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (appended to `endpoint`, by default
// http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (https anywhere; plain http only to
// loopback or the ECS/EKS link-local hosts), with the Authorization header taken from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN.
class ContainerCredentialsProvider final : public CredentialsProvider {
 public:
  ContainerCredentialsProvider(Environment env, std::string endpoint,
                               MetadataClientOptions options = {});
  Result<AwsCredentials> GetCredentials() override;

 private:
  const Environment env_;
  const std::string endpoint_;
  const MetadataClientOptions options_;
  HttpClient http_;
};

// EC2 instance metadata, IMDSv2. `endpoint` empty means AWS_EC2_METADATA_SERVICE_ENDPOINT or
// http://169.254.169.254; AWS_EC2_METADATA_DISABLED=true makes this provider unconfigured.
// Not reaching the endpoint at all also counts as unconfigured (not running on EC2).
class ImdsCredentialsProvider final : public CredentialsProvider {
 public:
  ImdsCredentialsProvider(Environment env, std::string endpoint,
                          MetadataClientOptions options = {});
  Result<AwsCredentials> GetCredentials() override;

 private:
  Result<std::string> Fetch(const std::string& method, const std::string& path,
                            const std::string& header_name, const std::string& header_value);

  const bool disabled_;
  const std::string endpoint_;
  const MetadataClientOptions options_;
  HttpClient http_;
};

}  // namespace mlw::queue
