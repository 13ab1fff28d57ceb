#include "queue/aws_credentials_remote.h"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace mlw::queue {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Snippet(const std::string& body) {
  return body.size() <= 200 ? body : body.substr(0, 200) + "…";
}

// Sends with a couple of quick retries on connection errors and 5xx: metadata endpoints are local
// and either answer at once or are briefly restarting.
Result<HttpResponse> SendWithRetry(HttpClient& http, const HttpRequest& request, int attempts) {
  Result<HttpResponse> last = Unavailable("not attempted");
  for (int i = 0; i < std::max(1, attempts); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 * i));
    last = http.Send(request);
    if (last.ok() && last->status < 500) return last;
  }
  return last;
}

// {"AccessKeyId","SecretAccessKey","Token","Expiration"} as both endpoints return them.
Result<AwsCredentials> ParseCredentialsJson(const std::string& body, const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Internal(source + " returned a body that is not a JSON object");
  if (j.contains("Code") && j["Code"].is_string() && j["Code"] != "Success") {
    return Unavailable(source + " returned Code=" + j["Code"].get<std::string>());
  }
  auto str = [&](const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  AwsCredentials c{str("AccessKeyId"), str("SecretAccessKey"), str("Token"), std::nullopt, source};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Internal(source + " returned no AccessKeyId/SecretAccessKey");
  }
  std::string expiration = str("Expiration");
  if (!expiration.empty()) {
    std::optional<int64_t> t = ParseIso8601(expiration);
    if (!t) return Internal(source + " returned an unreadable Expiration '" + expiration + "'");
    c.expiry_micros = t;
  }
  return c;
}

// The host of an http(s) URL, brackets kept for IPv6; empty when malformed.
std::string UrlHost(const std::string& url, std::string* scheme) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return "";
  *scheme = url.substr(0, sep);
  std::string rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest[0] == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

bool AllowedPlainHttpHost(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

}  // namespace

std::optional<int64_t> ParseIso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' &&
      s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  auto num = [&](size_t pos, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       se = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(*mo),
                                  std::chrono::day(*d)};
  if (!ymd.ok()) return std::nullopt;
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100000;
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      micros += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset_seconds = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    auto oh = num(i + 1, 2), om = num(i + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset_seconds = (*oh * 3600 + *om * 60) * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  int64_t secs = days * 86400 + *h * 3600 + *mi * 60 + *se - offset_seconds;
  return secs * 1000000 + micros;
}

ContainerCredentialsProvider::ContainerCredentialsProvider(Environment env, std::string endpoint,
                                                           MetadataClientOptions options)
    : env_(std::move(env)),
      endpoint_(std::move(endpoint)),
      options_(options),
      http_(HttpClientOptions{options.connect_timeout_ms, options.timeout_ms, 1 << 20,
                              "mlworker"}) {}

Result<AwsCredentials> ContainerCredentialsProvider::GetCredentials() {
  std::string relative = EnvValue(env_, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  std::string full = EnvValue(env_, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  std::string url;
  if (!relative.empty()) {
    url = endpoint_ + (relative.front() == '/' ? "" : "/") + relative;
  } else if (!full.empty()) {
    std::string scheme;
    std::string host = UrlHost(full, &scheme);
    if (host.empty() || (scheme != "http" && scheme != "https")) {
      return InvalidArgument("AWS_CONTAINER_CREDENTIALS_FULL_URI '" + full +
                             "' is not an http(s) URL");
    }
    if (scheme == "http" && !AllowedPlainHttpHost(host)) {
      return InvalidArgument("AWS_CONTAINER_CREDENTIALS_FULL_URI '" + full +
                             "' uses plain http to a host that is neither loopback nor the ECS/EKS "
                             "credentials host; use https");
    }
    url = full;
  } else {
    return NotFound("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI are not set");
  }

  HttpRequest request{"GET", url, {}, "", 0};
  std::string token_file = EnvValue(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  std::string token = EnvValue(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  if (!token_file.empty()) {
    std::ifstream in(token_file, std::ios::binary);
    if (!in) {
      return InvalidArgument("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '" + token_file +
                             "' cannot be read");
    }
    std::ostringstream text;
    text << in.rdbuf();
    token = Trim(text.str());
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument("container authorization token contains a line break");
  }
  if (!token.empty()) request.headers.emplace_back("Authorization", token);

  MLW_ASSIGN_OR_RETURN(HttpResponse response, SendWithRetry(http_, request, options_.attempts));
  if (response.status != 200) {
    return Status(response.status >= 500 ? StatusCode::kUnavailable : StatusCode::kUnauthenticated,
                  "container credentials endpoint " + url + " answered " +
                      std::to_string(response.status) + ": " + Snippet(response.body),
                  "CredentialsEndpointError");
  }
  return ParseCredentialsJson(response.body, "container");
}

ImdsCredentialsProvider::ImdsCredentialsProvider(Environment env, std::string endpoint,
                                                 MetadataClientOptions options)
    : disabled_(EnvValue(env, "AWS_EC2_METADATA_DISABLED") == "true"),
      endpoint_([&] {
        std::string e = !endpoint.empty() ? endpoint
                                          : EnvValue(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
        if (e.empty()) e = "http://169.254.169.254";
        while (!e.empty() && e.back() == '/') e.pop_back();
        return e;
      }()),
      options_(options),
      http_(HttpClientOptions{options.connect_timeout_ms, options.timeout_ms, 1 << 20,
                              "mlworker"}) {}

Result<std::string> ImdsCredentialsProvider::Fetch(const std::string& method,
                                                   const std::string& path,
                                                   const std::string& header_name,
                                                   const std::string& header_value) {
  HttpRequest request{method, endpoint_ + path, {{header_name, header_value}}, "", 0};
  Result<HttpResponse> response = SendWithRetry(http_, request, options_.attempts);
  if (!response.ok()) {
    // Nothing listening: not on EC2 (or IMDS blocked), so this source is simply not configured.
    return NotFound("instance metadata at " + endpoint_ + " is unreachable (" +
                    response.status().message() + ")");
  }
  if (response->status == 404) {
    return NotFound("instance metadata " + path + " not found (no instance role attached?)");
  }
  if (response->status != 200) {
    return Status(response->status >= 500 ? StatusCode::kUnavailable
                                          : StatusCode::kUnauthenticated,
                  "instance metadata " + method + " " + path + " answered " +
                      std::to_string(response->status) + ": " + Snippet(response->body),
                  "CredentialsEndpointError");
  }
  return response->body;
}

Result<AwsCredentials> ImdsCredentialsProvider::GetCredentials() {
  if (disabled_) return NotFound("instance metadata disabled by AWS_EC2_METADATA_DISABLED");
  MLW_ASSIGN_OR_RETURN(std::string token, Fetch("PUT", "/latest/api/token",
                                                "X-aws-ec2-metadata-token-ttl-seconds", "21600"));
  token = Trim(token);
  const std::string base = "/latest/meta-data/iam/security-credentials/";
  MLW_ASSIGN_OR_RETURN(std::string roles, Fetch("GET", base, "X-aws-ec2-metadata-token", token));
  std::string role = Trim(roles.substr(0, roles.find('\n')));
  if (role.empty()) return NotFound("instance metadata lists no instance role");
  MLW_ASSIGN_OR_RETURN(std::string body,
                       Fetch("GET", base + role, "X-aws-ec2-metadata-token", token));
  return ParseCredentialsJson(body, "imds");
}

}  // namespace mlw::queue
