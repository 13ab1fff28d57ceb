// AWS Signature Version 4 (AWS4-HMAC-SHA256) for requests sent in headers: the client signs, the
// server side verifies. Follows the published signing process step by step — canonical request,
// string to sign, derived signing key, signature — and exposes each step so that tests can check
// them against AWS's SigV4 test suite.
//
// Thread-safety: all functions are pure and may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mlw::queue::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
// Hex SHA-256 of the empty string, the payload hash of a request without a body.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

// An HTTP request as the signer sees it. `path` is the request target's path exactly as it goes on
// the wire (not yet percent-decoded), `query` the raw query string without '?'. Header names may
// have any case and may repeat; values are used as given.
struct Request {
  std::string method;
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Where and when a signature is valid.
struct Scope {
  std::string region;
  std::string service;
  std::string amz_date;  // "YYYYMMDDTHHMMSSZ"; the first 8 characters are the scope date
};

// The intermediate and final products of one signing, for logs and tests.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lower-case hex
  std::string authorization;   // the Authorization header value
};

// "YYYYMMDDTHHMMSSZ" for a Unix time in microseconds (UTC).
std::string FormatAmzDate(int64_t unix_micros);
// Parses "YYYYMMDDTHHMMSSZ" into Unix microseconds; nullopt when malformed.
std::optional<int64_t> ParseAmzDate(std::string_view amz_date);

std::string Sha256Hex(std::string_view bytes);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32-byte digest
std::string HexEncode(std::string_view bytes);

// RFC 3986 percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - _ . ~), with
// upper-case hex; '/' is kept when `keep_slash`.
std::string UriEncode(std::string_view text, bool keep_slash);
// The canonical URI: dot segments and empty segments removed (the suite's normalize-path
// behaviour, right for every service but S3), each segment decoded and encoded once.
std::string CanonicalUri(std::string_view path);
// The canonical query string: parameters decoded, re-encoded, sorted by name then value.
std::string CanonicalQuery(std::string_view query);
// Lower-case header names, sorted and de-duplicated, joined by ';'.
std::string SignedHeaderList(const std::vector<std::pair<std::string, std::string>>& headers);

// The canonical request over the headers whose lower-case names are in `signed_headers`
// (';'-separated, sorted, as from SignedHeaderList). Repeated headers are joined by ',' in request
// order; values are trimmed and runs of spaces collapsed.
std::string CanonicalRequest(const Request& request, std::string_view signed_headers,
                             std::string_view payload_hash);
std::string CredentialScope(const Scope& scope);
std::string StringToSign(const Scope& scope, std::string_view canonical_request);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
std::string DeriveSigningKey(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service);

// Computes the signature of `request` over all of its headers (which must include Host and
// X-Amz-Date) without changing it.
Signature Compute(const Request& request, const Credentials& credentials, const Scope& scope);

// Adds X-Amz-Date, X-Amz-Security-Token (when credentials carry a session token; it is signed) and
// Authorization to `request`, replacing any previous ones, and returns what was signed. Every
// header already present is signed. REQUIRES: request has a Host header.
Signature Sign(Request* request, const Credentials& credentials, const Scope& scope);

// The parts of an "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" header.
struct Authorization {
  std::string access_key_id;
  std::string date;  // scope date YYYYMMDD
  std::string region;
  std::string service;
  std::string signed_headers;
  std::string signature;
};
// Fails with reason "IncompleteSignature" when the header is not a well-formed SigV4 header.
Result<Authorization> ParseAuthorization(std::string_view header);

// What a verified request was signed with.
struct VerifiedIdentity {
  std::string access_key_id;
  std::string region;
  std::string service;
  bool has_session_token = false;
};

// Looks up the secret key (and the session token that must accompany it, if any) of an access key
// id; nullopt for an unknown key.
using SecretLookup = std::function<std::optional<Credentials>(const std::string& access_key_id)>;

struct VerifyOptions {
  int64_t now_micros = 0;                       // the server's clock
  int64_t max_skew_seconds = 15 * 60;           // allowed |request time - now|, as AWS
  std::string expected_service;                 // empty accepts any service in the scope
};

// Recomputes the signature of an incoming request from the secret and compares it in constant
// time. The payload hash is computed from the body (an x-amz-content-sha256 header, if signed,
// must match it). Errors carry the reasons AWS uses: "MissingAuthenticationToken",
// "IncompleteSignature", "InvalidClientTokenId", "RequestExpired", "SignatureDoesNotMatch".
Result<VerifiedIdentity> Verify(const Request& request, const SecretLookup& lookup,
                                const VerifyOptions& options);

}  // namespace mlw::queue::sigv4
