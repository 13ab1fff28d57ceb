#include "queue/sqs_protocol/sigv4_verify.h"

#include <gtest/gtest.h>

#include "queue/sigv4.h"

namespace mlw::queue::sqs {
namespace {

constexpr char kKeyId[] = "AKIDMLWTEST";
constexpr char kSecret[] = "s3cr3t/Key+value";
constexpr int64_t kNow = 1'700'000'000'000'000;  // Unix microseconds

// A query-protocol request signed as an SDK would sign it, at `signed_at`.
http::Request SignedRequest(const std::string& key_id, const std::string& secret,
                            int64_t signed_at) {
  sigv4::Request r;
  r.method = "POST";
  r.path = "/000000000000/jobs";
  r.headers = {{"Host", "127.0.0.1:9324"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = "Action=SendMessage&MessageBody=hi&Version=2012-11-05";
  sigv4::Sign(&r, {key_id, secret, ""}, {"us-east-1", "sqs", sigv4::FormatAmzDate(signed_at)});
  http::Request out;
  out.method = r.method;
  out.path = r.path;
  out.headers = r.headers;
  out.body = r.body;
  return out;
}

TEST(SigV4VerifyTest, AcceptsTheConfiguredKey) {
  EXPECT_TRUE(VerifySigV4(SignedRequest(kKeyId, kSecret, kNow), {kKeyId, kSecret}, kNow).ok());
}

TEST(SigV4VerifyTest, RejectsOtherKeysSecretsAndTampering) {
  SigV4Credentials configured{kKeyId, kSecret};
  EXPECT_EQ(VerifySigV4(SignedRequest("AKIDOTHER", kSecret, kNow), configured, kNow).reason(),
            "InvalidClientTokenId");
  EXPECT_EQ(VerifySigV4(SignedRequest(kKeyId, "wrong", kNow), configured, kNow).reason(),
            "SignatureDoesNotMatch");
  http::Request tampered = SignedRequest(kKeyId, kSecret, kNow);
  tampered.body = "Action=SendMessage&MessageBody=evil&Version=2012-11-05";
  EXPECT_EQ(VerifySigV4(tampered, configured, kNow).reason(), "SignatureDoesNotMatch");
  int64_t an_hour = 3600LL * 1'000'000;
  EXPECT_EQ(VerifySigV4(SignedRequest(kKeyId, kSecret, kNow - an_hour), configured, kNow).reason(),
            "RequestExpired");
  http::Request unsigned_request;
  unsigned_request.method = "POST";
  unsigned_request.path = "/";
  EXPECT_EQ(VerifySigV4(unsigned_request, configured, kNow).reason(), "MissingAuthenticationToken");
  unsigned_request.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=x"}};
  EXPECT_EQ(VerifySigV4(unsigned_request, configured, kNow).reason(), "IncompleteSignature");
}

}  // namespace
}  // namespace mlw::queue::sqs
