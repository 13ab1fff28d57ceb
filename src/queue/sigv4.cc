#include "queue/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>

namespace mlw::queue::sigv4 {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a '%' not followed by two hex digits is kept literally.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Trims surrounding whitespace and collapses inner runs of spaces to one, as SigV4 requires.
std::string NormalizeHeaderValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> SplitList(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const std::string* FindHeader(const Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (IEquals(k, name)) return &v;
  }
  return nullptr;
}

void RemoveHeader(Request* r, std::string_view name) {
  std::erase_if(r->headers, [name](const auto& h) { return IEquals(h.first, name); });
}

Status AuthError(std::string message, std::string reason) {
  return Status(StatusCode::kUnauthenticated, std::move(message), std::move(reason));
}

}  // namespace

std::string FormatAmzDate(int64_t unix_micros) {
  std::time_t secs = static_cast<std::time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::optional<int64_t> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), mo = digits(4, 2), d = digits(6, 2);
  auto h = digits(9, 2), mi = digits(11, 2), se = digits(13, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(*mo),
                                  std::chrono::day(*d)};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  int64_t secs = static_cast<int64_t>(days) * 86400 + *h * 3600 + *mi * 60 + *se;
  return secs * 1000000;
}

std::string HexEncode(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<char*>(digest), len));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  return std::string(reinterpret_cast<char*>(digest), len);
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view path) {
  std::vector<std::string> segments;
  for (const std::string& seg : SplitList(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(UriEncode(PercentDecode(seg), /*keep_slash=*/false));
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out += segments[i];
  }
  bool trailing = path.size() > 1 && path.back() == '/';
  if (trailing && !segments.empty()) out.push_back('/');
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const std::string& part : SplitList(query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string name = part.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    params.emplace_back(UriEncode(PercentDecode(name), false),
                        UriEncode(PercentDecode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string SignedHeaderList(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::set<std::string> names;
  for (const auto& h : headers) {
    std::string name = Lower(Trim(h.first));
    if (name != "authorization") names.insert(name);
  }
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out.push_back(';');
    out += n;
  }
  return out;
}

std::string CanonicalRequest(const Request& request, std::string_view signed_headers,
                             std::string_view payload_hash) {
  std::string out = request.method;
  out.push_back('\n');
  out += CanonicalUri(request.path);
  out.push_back('\n');
  out += CanonicalQuery(request.query);
  out.push_back('\n');
  for (const std::string& name : SplitList(signed_headers, ';')) {
    std::string joined;
    bool first = true;
    for (const auto& [k, v] : request.headers) {
      if (Lower(Trim(k)) != name) continue;
      if (!first) joined.push_back(',');
      joined += NormalizeHeaderValue(v);
      first = false;
    }
    out += name;
    out.push_back(':');
    out += joined;
    out.push_back('\n');
  }
  out.push_back('\n');
  out += signed_headers;
  out.push_back('\n');
  out += payload_hash;
  return out;
}

std::string CredentialScope(const Scope& scope) {
  return scope.amz_date.substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string StringToSign(const Scope& scope, std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += scope.amz_date;
  out.push_back('\n');
  out += CredentialScope(scope);
  out.push_back('\n');
  out += Sha256Hex(canonical_request);
  return out;
}

std::string DeriveSigningKey(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

namespace {

Signature ComputeWith(const Request& request, const Credentials& credentials, const Scope& scope,
                      std::string signed_headers) {
  Signature s;
  s.signed_headers = std::move(signed_headers);
  s.canonical_request = CanonicalRequest(request, s.signed_headers, Sha256Hex(request.body));
  s.string_to_sign = StringToSign(scope, s.canonical_request);
  std::string key = DeriveSigningKey(credentials.secret_access_key, scope.amz_date.substr(0, 8),
                                     scope.region, scope.service);
  s.signature = HexEncode(HmacSha256(key, s.string_to_sign));
  s.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                    CredentialScope(scope) + ", SignedHeaders=" + s.signed_headers +
                    ", Signature=" + s.signature;
  return s;
}

}  // namespace

Signature Compute(const Request& request, const Credentials& credentials, const Scope& scope) {
  return ComputeWith(request, credentials, scope, SignedHeaderList(request.headers));
}

Signature Sign(Request* request, const Credentials& credentials, const Scope& scope) {
  RemoveHeader(request, "authorization");
  RemoveHeader(request, "x-amz-date");
  RemoveHeader(request, "x-amz-security-token");
  request->headers.emplace_back("X-Amz-Date", scope.amz_date);
  if (!credentials.session_token.empty()) {
    request->headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  Signature s = Compute(*request, credentials, scope);
  request->headers.emplace_back("Authorization", s.authorization);
  return s;
}

Result<Authorization> ParseAuthorization(std::string_view header) {
  header = Trim(header);
  std::string prefix = std::string(kAlgorithm) + " ";
  if (header.substr(0, prefix.size()) != prefix) {
    return AuthError("Authorization is not AWS4-HMAC-SHA256", "IncompleteSignature");
  }
  header.remove_prefix(prefix.size());
  Authorization auth;
  std::string credential;
  for (const std::string& raw : SplitList(header, ',')) {
    std::string_view part = Trim(raw);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") auth.signed_headers = value;
    if (key == "Signature") auth.signature = value;
  }
  std::vector<std::string> scope = SplitList(credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request" || scope[0].empty() ||
      scope[1].size() != 8 || auth.signed_headers.empty() || auth.signature.empty()) {
    return AuthError("Authorization header needs Credential=<key>/<date>/<region>/<service>/"
                     "aws4_request, SignedHeaders and Signature",
                     "IncompleteSignature");
  }
  auth.access_key_id = scope[0];
  auth.date = scope[1];
  auth.region = scope[2];
  auth.service = scope[3];
  return auth;
}

Result<VerifiedIdentity> Verify(const Request& request, const SecretLookup& lookup,
                                const VerifyOptions& options) {
  const std::string* header = FindHeader(request, "authorization");
  if (header == nullptr) {
    return AuthError("request is not signed", "MissingAuthenticationToken");
  }
  MLW_ASSIGN_OR_RETURN(Authorization auth, ParseAuthorization(*header));
  const std::string* date = FindHeader(request, "x-amz-date");
  if (date == nullptr) return AuthError("X-Amz-Date header is missing", "IncompleteSignature");
  std::optional<int64_t> when = ParseAmzDate(NormalizeHeaderValue(*date));
  if (!when) return AuthError("X-Amz-Date is not YYYYMMDDTHHMMSSZ", "IncompleteSignature");
  if (NormalizeHeaderValue(*date).substr(0, 8) != auth.date) {
    return AuthError("credential scope date does not match X-Amz-Date", "SignatureDoesNotMatch");
  }
  std::vector<std::string> signed_names = SplitList(auth.signed_headers, ';');
  auto is_signed = [&](std::string_view n) {
    return std::find(signed_names.begin(), signed_names.end(), n) != signed_names.end();
  };
  if (!is_signed("host") || !is_signed("x-amz-date")) {
    return AuthError("SignedHeaders must include host and x-amz-date", "IncompleteSignature");
  }
  if (!options.expected_service.empty() && auth.service != options.expected_service) {
    return AuthError("credential scope names service '" + auth.service + "', expected '" +
                         options.expected_service + "'",
                     "SignatureDoesNotMatch");
  }
  int64_t skew = std::llabs(*when - options.now_micros) / 1000000;
  if (skew > options.max_skew_seconds) {
    return AuthError("request time " + *date + " is more than " +
                         std::to_string(options.max_skew_seconds) + " s from server time",
                     "RequestExpired");
  }
  std::optional<Credentials> creds = lookup(auth.access_key_id);
  if (!creds) {
    return AuthError("unknown access key id " + auth.access_key_id, "InvalidClientTokenId");
  }
  const std::string* token = FindHeader(request, "x-amz-security-token");
  if (!creds->session_token.empty() &&
      (token == nullptr || *token != creds->session_token)) {
    return AuthError("session token missing or wrong", "InvalidClientTokenId");
  }
  for (const std::string& name : signed_names) {
    if (FindHeader(request, name) == nullptr) {
      return AuthError("signed header '" + name + "' is missing", "SignatureDoesNotMatch");
    }
  }
  Scope scope{auth.region, auth.service, NormalizeHeaderValue(*date)};
  Signature expected = ComputeWith(request, *creds, scope, auth.signed_headers);
  if (expected.signature.size() != auth.signature.size() ||
      CRYPTO_memcmp(expected.signature.data(), auth.signature.data(),
                    expected.signature.size()) != 0) {
    return AuthError(
        "The request signature we calculated does not match the signature you provided.",
        "SignatureDoesNotMatch");
  }
  return VerifiedIdentity{auth.access_key_id, auth.region, auth.service, token != nullptr};
}

}  // namespace mlw::queue::sigv4
