// Server-side verification of AWS Signature Version 4 (Authorization header form), for the SQS
// endpoint's optional credential check. Without configured credentials the endpoint accepts any
// request and never calls this.
//
// Not covered: presigned URLs (X-Amz-Signature in the query string), session tokens, and clock
// skew (a signature stays valid however old its X-Amz-Date is).
#pragma once

#include <string>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::queue::sqs {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

// OK when `request` carries a SigV4 signature made with `credentials`. Errors (SQS names in
// reason()): MissingAuthenticationToken (no Authorization header), IncompleteSignature (malformed
// header or missing X-Amz-Date), InvalidClientTokenId (another access key id),
// SignatureDoesNotMatch.
Status VerifySigV4(const http::Request& request, const SigV4Credentials& credentials);

// The pieces of the algorithm, exposed for tests against published examples.
std::string Sha256Hex(std::string_view bytes);
std::string SigV4CanonicalRequest(const http::Request& request, const std::string& signed_headers);
std::string SigV4Signature(const std::string& secret, const std::string& amz_date,
                           const std::string& scope, const std::string& canonical_request);

}  // namespace mlw::queue::sqs
