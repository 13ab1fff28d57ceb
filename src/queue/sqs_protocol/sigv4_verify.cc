#include "queue/sqs_protocol/sigv4_verify.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>
#include <vector>

#include "http/url.h"
#include "queue/sqs_protocol/errors.h"

namespace mlw::queue::sqs {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xf]);
  }
  return out;
}

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  std::string out;
  bool space = false;
  for (char c : s.substr(b, e - b + 1)) {  // collapse runs of spaces
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Removes "." and ".." segments, as SigV4 asks for non-S3 services.
std::string NormalizePath(const std::string& path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string seg = path.substr(pos, slash - pos);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (seg != "." && !seg.empty()) {
      parts.push_back(seg);
    }
    pos = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  if (out.empty() || (path.size() > 1 && path.back() == '/')) out += "/";
  return out;
}

std::string CanonicalQuery(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string piece = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string k = piece.substr(0, eq);
    std::string v = eq == std::string::npos ? "" : piece.substr(eq + 1);
    Result<std::string> dk = http::PercentDecode(k, false);
    Result<std::string> dv = http::PercentDecode(v, false);
    pairs.emplace_back(http::PercentEncode(dk.ok() ? *dk : k), http::PercentEncode(dv.ok() ? *dv : v));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

std::map<std::string, std::string> ParseAuthorization(std::string_view value) {
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string item = Trim(value.substr(pos, comma - pos));
    size_t eq = item.find('=');
    if (eq != std::string::npos) fields[item.substr(0, eq)] = item.substr(eq + 1);
    pos = comma + 1;
  }
  return fields;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

std::string SigV4CanonicalRequest(const http::Request& request, const std::string& signed_headers) {
  std::string out = request.method + "\n";
  // The path as sent is encoded once; SigV4 for non-S3 services encodes it once more.
  out += http::PercentEncode(NormalizePath(request.path.empty() ? "/" : request.path), true) + "\n";
  out += CanonicalQuery(request.query) + "\n";
  size_t pos = 0;
  while (pos <= signed_headers.size()) {
    size_t semi = signed_headers.find(';', pos);
    if (semi == std::string::npos) semi = signed_headers.size();
    std::string name = signed_headers.substr(pos, semi - pos);
    pos = semi + 1;
    if (name.empty()) continue;
    std::string values;
    for (const auto& [n, v] : request.headers) {
      if (Lower(n) != name) continue;
      values += (values.empty() ? "" : ",") + Trim(v);
    }
    out += name + ":" + values + "\n";
  }
  out += "\n" + signed_headers + "\n";
  std::string_view payload_hash = request.Header("x-amz-content-sha256");
  out += payload_hash.empty() ? Sha256Hex(request.body) : std::string(payload_hash);
  return out;
}

std::string SigV4Signature(const std::string& secret, const std::string& amz_date,
                           const std::string& scope, const std::string& canonical_request) {
  std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical_request);
  // scope = date/region/service/aws4_request
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= scope.size()) {
    size_t slash = scope.find('/', pos);
    if (slash == std::string::npos) slash = scope.size();
    parts.push_back(scope.substr(pos, slash - pos));
    pos = slash + 1;
  }
  std::string key = "AWS4" + secret;
  for (const std::string& part : parts) key = Hmac(key, part);
  std::string sig = Hmac(key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

Status VerifySigV4(const http::Request& request, const SigV4Credentials& credentials) {
  std::string_view auth = request.Header("Authorization");
  if (auth.empty()) {
    return SqsError("MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
  if (auth.substr(0, kAlgorithm.size()) != kAlgorithm) {
    return SqsError("IncompleteSignature", "Only AWS4-HMAC-SHA256 signatures are accepted.");
  }
  auto fields = ParseAuthorization(auth.substr(kAlgorithm.size()));
  const std::string& credential = fields["Credential"];
  const std::string& signed_headers = fields["SignedHeaders"];
  const std::string& signature = fields["Signature"];
  size_t slash = credential.find('/');
  std::string amz_date(request.Header("X-Amz-Date"));
  if (slash == std::string::npos || signed_headers.empty() || signature.empty() || amz_date.empty()) {
    return SqsError("IncompleteSignature",
                    "The Authorization header needs Credential, SignedHeaders and Signature, and "
                    "the request an X-Amz-Date header.");
  }
  std::string key_id = credential.substr(0, slash);
  std::string scope = credential.substr(slash + 1);
  if (key_id != credentials.access_key_id) {
    return SqsError("InvalidClientTokenId",
                    "The security token included in the request is invalid.");
  }
  std::string expected = SigV4Signature(credentials.secret_access_key, amz_date, scope,
                                        SigV4CanonicalRequest(request, signed_headers));
  std::string given = Lower(signature);
  unsigned char diff = expected.size() == given.size() ? 0 : 1;
  for (size_t i = 0; i < std::min(expected.size(), given.size()); ++i) diff |= expected[i] ^ given[i];
  if (diff != 0) {
    return SqsError("SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided.");
  }
  return Status::Ok();
}

}  // namespace mlw::queue::sqs
