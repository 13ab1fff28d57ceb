#include "queue/sqs_protocol/sigv4_verify.h"

#include "queue/sigv4.h"
#include "queue/sqs_protocol/errors.h"

namespace mlw::queue::sqs {

Status VerifySigV4(const http::Request& request, const SigV4Credentials& credentials,
                   int64_t now_micros) {
  sigv4::Request signed_request;
  signed_request.method = request.method;
  signed_request.path = request.path.empty() ? "/" : request.path;
  signed_request.query = request.query;
  signed_request.headers = request.headers;
  signed_request.body = request.body;
  sigv4::SecretLookup lookup =
      [&credentials](const std::string& key_id) -> std::optional<sigv4::Credentials> {
    if (key_id != credentials.access_key_id) return std::nullopt;
    return sigv4::Credentials{credentials.access_key_id, credentials.secret_access_key, ""};
  };
  sigv4::VerifyOptions options;
  options.now_micros = now_micros;
  Result<sigv4::VerifiedIdentity> verified = sigv4::Verify(signed_request, lookup, options);
  if (verified.ok()) return Status::Ok();
  // Keep the verifier's reason (an SQS/AWS error name) and give it this module's status code.
  const Status& failure = verified.status();
  return SqsError(failure.reason().empty() ? "SignatureDoesNotMatch" : failure.reason(),
                  failure.message());
}

}  // namespace mlw::queue::sqs
