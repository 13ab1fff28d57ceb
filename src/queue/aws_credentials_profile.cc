#include "queue/aws_credentials_profile.h"

#include <fstream>
#include <sstream>

namespace mlw::queue {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Reads a whole file; nullopt when it does not exist or cannot be read.
std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string HomePath(const Environment& env, const std::string& rest) {
  std::string home = EnvValue(env, "HOME");
  return home.empty() ? std::string() : home + "/" + rest;
}

std::string CredentialsPath(const Environment& env) {
  std::string p = EnvValue(env, "AWS_SHARED_CREDENTIALS_FILE");
  return p.empty() ? HomePath(env, ".aws/credentials") : p;
}

std::string ConfigPath(const Environment& env) {
  std::string p = EnvValue(env, "AWS_CONFIG_FILE");
  return p.empty() ? HomePath(env, ".aws/config") : p;
}

std::string ProfileName(const Environment& env, bool* explicit_choice) {
  std::string p = EnvValue(env, "AWS_PROFILE");
  if (p.empty()) p = EnvValue(env, "AWS_DEFAULT_PROFILE");
  *explicit_choice = !p.empty();
  return p.empty() ? "default" : p;
}

// The profile's keys in one file; config-file sections are "profile <name>" except "default".
const std::map<std::string, std::string>* FindSection(const IniFile& ini, const std::string& name,
                                                      bool config_file) {
  std::vector<std::string> candidates;
  if (config_file) {
    candidates.push_back("profile " + name);
    if (name == "default") candidates.push_back("default");
  } else {
    candidates.push_back(name);
  }
  for (const std::string& c : candidates) {
    auto it = ini.find(c);
    if (it != ini.end()) return &it->second;
  }
  return nullptr;
}

std::string Get(const std::map<std::string, std::string>& section, const std::string& key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

IniFile LoadIni(const std::string& path) {
  if (path.empty()) return {};
  std::optional<std::string> text = ReadFile(path);
  return text ? ParseIni(*text) : IniFile{};
}

}  // namespace

IniFile ParseIni(const std::string& text) {
  IniFile ini;
  std::string section;
  bool in_section = false;
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    if (!raw.empty() && (raw[0] == ' ' || raw[0] == '\t')) continue;  // sub-keys (s3 = …)
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(std::string_view(line).substr(1, line.size() - 2));
      in_section = true;
      ini[section];
      continue;
    }
    size_t eq = line.find('=');
    if (!in_section || eq == std::string::npos) continue;
    std::string value = Trim(std::string_view(line).substr(eq + 1));
    ini[section][Trim(std::string_view(line).substr(0, eq))] = value;
  }
  return ini;
}

Result<AwsCredentials> ProfileCredentialsProvider::GetCredentials() {
  bool explicit_choice = false;
  std::string profile = ProfileName(env_, &explicit_choice);
  std::string cred_path = CredentialsPath(env_);
  std::string config_path = ConfigPath(env_);
  IniFile creds_ini = LoadIni(cred_path);
  IniFile config_ini = LoadIni(config_path);
  const auto* from_creds = FindSection(creds_ini, profile, /*config_file=*/false);
  const auto* from_config = FindSection(config_ini, profile, /*config_file=*/true);

  std::string where = "profile '" + profile + "' in " + (cred_path.empty() ? "?" : cred_path) +
                      " or " + (config_path.empty() ? "?" : config_path);
  if (from_creds == nullptr && from_config == nullptr) {
    if (explicit_choice) {
      return InvalidArgument("AWS_PROFILE names " + where + ", which does not exist",
                             "ProfileNotFound");
    }
    return NotFound("no " + where);
  }
  for (const auto* section : {from_creds, from_config}) {
    if (section == nullptr) continue;
    std::string id = Get(*section, "aws_access_key_id");
    std::string secret = Get(*section, "aws_secret_access_key");
    if (id.empty() && secret.empty()) continue;
    if (id.empty() || secret.empty()) {
      return InvalidArgument(where + " has only one of aws_access_key_id and "
                                     "aws_secret_access_key",
                             "IncompleteCredentials");
    }
    std::string token = Get(*section, "aws_session_token");
    if (token.empty()) token = Get(*section, "aws_security_token");
    return AwsCredentials{id, secret, token, std::nullopt, "profile:" + profile};
  }
  for (const auto* section : {from_creds, from_config}) {
    if (section == nullptr) continue;
    for (const char* key : {"role_arn", "credential_process", "sso_session", "sso_start_url",
                            "web_identity_token_file"}) {
      if (!Get(*section, key).empty()) {
        return FailedPrecondition(where + " uses " + key +
                                      ", which mlworker does not support; use static keys, the "
                                      "environment, or a task/instance role",
                                  "UnsupportedCredentialSource");
      }
    }
  }
  if (explicit_choice) {
    return InvalidArgument(where + " has no aws_access_key_id/aws_secret_access_key",
                           "IncompleteCredentials");
  }
  return NotFound(where + " has no keys");
}

std::optional<std::string> ProfileRegion(const Environment& env) {
  bool explicit_choice = false;
  std::string profile = ProfileName(env, &explicit_choice);
  IniFile config = LoadIni(ConfigPath(env));
  const auto* section = FindSection(config, profile, /*config_file=*/true);
  if (section == nullptr) return std::nullopt;
  std::string region = Get(*section, "region");
  if (region.empty()) return std::nullopt;
  return region;
}

}  // namespace mlw::queue
