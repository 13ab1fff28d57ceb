// Credentials from the shared AWS files: ~/.aws/credentials ([name] sections) and ~/.aws/config
// ([default] and [profile name] sections), as the AWS CLI writes them. Paths and profile come from
// AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_PROFILE (or AWS_DEFAULT_PROFILE) and HOME.
// The credentials file wins over the config file for the same profile.
//
// Supported: static keys with an optional session token. Profiles that need another mechanism
// (role_arn, credential_process, sso_*, web_identity_token_file) fail with a clear error instead
// of being silently skipped.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "queue/aws_credentials.h"

namespace mlw::queue {

// section name -> key -> value. Comments (# or ;), blank lines and indented sub-keys are skipped.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(const std::string& text);

class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ProfileCredentialsProvider(Environment env) : env_(std::move(env)) {}
  // kNotFound when the default profile has no keys anywhere; an explicitly chosen profile that
  // does not exist is kInvalidArgument, naming the files searched.
  Result<AwsCredentials> GetCredentials() override;

 private:
  const Environment env_;
};

// The region of the active profile in the config file, if any.
std::optional<std::string> ProfileRegion(const Environment& env);

}  // namespace mlw::queue
