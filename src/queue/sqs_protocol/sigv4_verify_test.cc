#include "queue/sqs_protocol/sigv4_verify.h"

#include <gtest/gtest.h>

namespace mlw::queue::sqs {
namespace {

// The worked example of the AWS documentation "Signature Calculations for the Authorization
// Header" (GET /test.txt from examplebucket, 2013-05-24).
http::Request DocExample() {
  http::Request r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
               {"x-amz-date", "20130524T000000Z"}};
  return r;
}

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kSignedHeaders[] = "host;range;x-amz-content-sha256;x-amz-date";
constexpr char kScope[] = "20130524/us-east-1/s3/aws4_request";

TEST(SigV4Test, MatchesThePublishedExample) {
  std::string canonical = SigV4CanonicalRequest(DocExample(), kSignedHeaders);
  EXPECT_EQ(Sha256Hex(canonical), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(SigV4Signature(kSecret, "20130524T000000Z", kScope, canonical),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, VerifyAcceptsTheRightKeyAndRejectsOthers) {
  http::Request r = DocExample();
  std::string auth = std::string("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") + kScope +
                     ",SignedHeaders=" + kSignedHeaders +
                     ",Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  r.headers.emplace_back("Authorization", auth);
  EXPECT_TRUE(VerifySigV4(r, {"AKIAIOSFODNN7EXAMPLE", kSecret}).ok());
  EXPECT_EQ(VerifySigV4(r, {"OTHERKEY", kSecret}).reason(), "InvalidClientTokenId");
  EXPECT_EQ(VerifySigV4(r, {"AKIAIOSFODNN7EXAMPLE", "wrong"}).reason(), "SignatureDoesNotMatch");
  r.headers[1].second = "bytes=0-10";  // a signed header changed in transit
  EXPECT_EQ(VerifySigV4(r, {"AKIAIOSFODNN7EXAMPLE", kSecret}).reason(), "SignatureDoesNotMatch");
  http::Request unsigned_request = DocExample();
  EXPECT_EQ(VerifySigV4(unsigned_request, {"AKIAIOSFODNN7EXAMPLE", kSecret}).reason(),
            "MissingAuthenticationToken");
  unsigned_request.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  EXPECT_EQ(VerifySigV4(unsigned_request, {"AKIAIOSFODNN7EXAMPLE", kSecret}).reason(),
            "IncompleteSignature");
}

}  // namespace
}  // namespace mlw::queue::sqs
