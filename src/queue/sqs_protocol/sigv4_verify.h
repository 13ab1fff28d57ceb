// The SQS endpoint's optional credential check: adapts an incoming HTTP request to the shared
// SigV4 implementation (queue/sigv4.h) and verifies it against the one configured key. Without
// configured credentials the endpoint accepts any request and never calls this.
//
// Not covered: presigned URLs (X-Amz-Signature in the query string) and session tokens.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::queue::sqs {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

// OK when `request` carries a SigV4 Authorization header signed with `credentials` at a time
// within 15 minutes of `now_micros` (Unix microseconds). Errors (SQS names in reason()):
// MissingAuthenticationToken, IncompleteSignature, InvalidClientTokenId (another access key id),
// RequestExpired, SignatureDoesNotMatch.
Status VerifySigV4(const http::Request& request, const SigV4Credentials& credentials,
                   int64_t now_micros);

}  // namespace mlw::queue::sqs
