#include "queue/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlw::queue::sigv4 {
namespace {

// AWS Signature Version 4 test suite (aws-sig-v4-test-suite, 2015 edition): every case is signed
// with these credentials, this scope and this time. Each case below gives the request (.req), the
// canonical request (.creq), the last line of the string to sign (.sts) and the signature
// (.authz), transcribed from the suite.
const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Scope kSuiteScope{"us-east-1", "service", "20150830T123600Z"};
constexpr char kSuiteStsPrefix[] =
    "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n";
constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kSuiteStsToken[] =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIe"
    "oIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq"
    "5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC"
    "9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

struct Vector {
  std::string name;
  Request request;
  std::string creq;
  std::string sts_hash;
  std::string signed_headers;
  std::string signature;
};

Request Get(std::string path, std::string query,
            std::vector<std::pair<std::string, std::string>> extra = {}) {
  Request r{"GET", std::move(path), std::move(query), {{"Host", "example.amazonaws.com"}}, ""};
  for (auto& h : extra) r.headers.push_back(std::move(h));
  r.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  return r;
}

std::string PlainCreq(const std::string& method, const std::string& uri, const std::string& query) {
  return method + "\n" + uri + "\n" + query +
         "\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + kEmpty;
}

std::vector<Vector> SuiteVectors() {
  Request post_vanilla{"POST", "/", "", {{"Host", "example.amazonaws.com"},
                                         {"X-Amz-Date", "20150830T123600Z"}}, ""};
  return {
      {"get-vanilla", Get("/", ""), PlainCreq("GET", "/", ""),
       "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"post-vanilla", post_vanilla, PlainCreq("POST", "/", ""),
       "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87", "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"get-vanilla-query-order-key-case", Get("/", "Param2=value2&Param1=value1"),
       PlainCreq("GET", "/", "Param1=value1&Param2=value2"),
       "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0", "host;x-amz-date",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-key", Get("/", "Param1=value2&Param1=Value1"),
       PlainCreq("GET", "/", "Param1=Value1&Param1=value2"),
       "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89", "host;x-amz-date",
       "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
      {"get-vanilla-utf8-query", Get("/", "\xE1\x88\xB4=bar"),
       PlainCreq("GET", "/", "%E1%88%B4=bar"),
       "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073", "host;x-amz-date",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved", Get("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", ""),
       PlainCreq("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", ""),
       "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9", "host;x-amz-date",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-space", Get("/example space/", ""), PlainCreq("GET", "/example%20space/", ""),
       "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86", "host;x-amz-date",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-slashes", Get("//example//", ""), PlainCreq("GET", "/example/", ""),
       "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015", "host;x-amz-date",
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
      {"get-header-value-trim",
       Get("/", "", {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}),
       std::string("GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
                   "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
                   "host;my-header1;my-header2;x-amz-date\n") + kEmpty,
       "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"get-header-key-duplicate",
       Get("/", "", {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}),
       std::string("GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
                   "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n") + kEmpty,
       "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
       "host;my-header1;x-amz-date",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
  };
}

TEST(SigV4SuiteTest, CanonicalRequestStringToSignAndSignatureMatchEveryVector) {
  for (const Vector& v : SuiteVectors()) {
    SCOPED_TRACE(v.name);
    Signature s = Compute(v.request, kSuiteCredentials, kSuiteScope);
    EXPECT_EQ(s.canonical_request, v.creq);
    EXPECT_EQ(s.string_to_sign, kSuiteStsPrefix + v.sts_hash);
    EXPECT_EQ(s.signed_headers, v.signed_headers);
    EXPECT_EQ(s.signature, v.signature);
    EXPECT_EQ(s.authorization,
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
              "SignedHeaders=" + v.signed_headers + ", Signature=" + v.signature);
  }
}

// post-x-www-form-urlencoded: the suite's .creq signs content-length too, while its .sts and
// .authz sign content-type;host;x-amz-date. Both are checked, each with its own header list.
TEST(SigV4SuiteTest, PostFormUrlencodedWithBodyPayloadHash) {
  Request r{"POST", "/", "",
            {{"Content-Type", "application/x-www-form-urlencoded"},
             {"Host", "example.amazonaws.com"},
             {"X-Amz-Date", "20150830T123600Z"},
             {"Content-Length", "13"}},
            "Param1=value1"};
  std::string payload = Sha256Hex(r.body);
  EXPECT_EQ(payload, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(CanonicalRequest(r, SignedHeaderList(r.headers), payload),
            "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\n"
            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-length;content-type;host;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  std::string creq = CanonicalRequest(r, "content-type;host;x-amz-date", payload);
  std::string sts = StringToSign(kSuiteScope, creq);
  EXPECT_EQ(sts,
            std::string(kSuiteStsPrefix) +
                "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  std::string key = DeriveSigningKey(kSuiteCredentials.secret_access_key, "20150830", "us-east-1",
                                     "service");
  EXPECT_EQ(HexEncode(HmacSha256(key, sts)),
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

// post-sts-header-before: the session token is a signed header.
TEST(SigV4SuiteTest, SignAddsAndSignsSessionToken) {
  Credentials creds = kSuiteCredentials;
  creds.session_token = kSuiteStsToken;
  Request r{"POST", "/", "", {{"Host", "example.amazonaws.com"}}, ""};
  Signature s = Sign(&r, creds, kSuiteScope);
  EXPECT_EQ(s.canonical_request,
            std::string("POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
                        "x-amz-security-token:") +
                kSuiteStsToken + "\n\nhost;x-amz-date;x-amz-security-token\n" + kEmpty);
  EXPECT_EQ(s.string_to_sign,
            std::string(kSuiteStsPrefix) +
                "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6");
  EXPECT_EQ(s.signature, "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
  int auth = 0, token = 0, date = 0;
  for (const auto& [k, v] : r.headers) {
    if (k == "Authorization") {
      ++auth;
      EXPECT_EQ(v, s.authorization);
    }
    if (k == "X-Amz-Security-Token") {
      ++token;
      EXPECT_EQ(v, kSuiteStsToken);
    }
    if (k == "X-Amz-Date") {
      ++date;
      EXPECT_EQ(v, "20150830T123600Z");
    }
  }
  EXPECT_EQ(auth, 1);
  EXPECT_EQ(token, 1);
  EXPECT_EQ(date, 1);
  // Signing again replaces the headers instead of piling them up.
  Sign(&r, creds, kSuiteScope);
  EXPECT_EQ(r.headers.size(), 4u);
}

// The documented derivation example (IAM, 20150830) — the signing key on its own.
TEST(SigV4Test, SigningKeyMatchesDocumentedDerivation) {
  EXPECT_EQ(HexEncode(DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830",
                                       "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4Test, AmzDateRoundTrips) {
  std::optional<int64_t> t = ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1440938160LL * 1000000);
  EXPECT_EQ(FormatAmzDate(*t + 999999), "20150830T123600Z");
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36:00Z").has_value());
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z").has_value());
}

class SigV4VerifyTest : public ::testing::Test {
 protected:
  SigV4VerifyTest() {
    request_ = Request{"POST", "/", "",
                       {{"Host", "127.0.0.1:9324"},
                        {"Content-Type", "application/x-amz-json-1.0"},
                        {"X-Amz-Target", "AmazonSQS.ListQueues"}},
                       "{}"};
    Sign(&request_, kSuiteCredentials, kSuiteScope);
    options_.now_micros = *ParseAmzDate("20150830T123600Z") + 60 * 1000000LL;
    options_.expected_service = "service";
  }
  static std::optional<Credentials> Lookup(const std::string& id) {
    if (id == kSuiteCredentials.access_key_id) return kSuiteCredentials;
    return std::nullopt;
  }
  Request request_;
  VerifyOptions options_;
};

TEST_F(SigV4VerifyTest, AcceptsWhatSignProduced) {
  Result<VerifiedIdentity> id = Verify(request_, Lookup, options_);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(id->region, "us-east-1");
  EXPECT_FALSE(id->has_session_token);
}

TEST_F(SigV4VerifyTest, RejectsTamperedBodyHeaderOrSecret) {
  Request body = request_;
  body.body = "{\"QueueNamePrefix\":\"x\"}";
  EXPECT_EQ(Verify(body, Lookup, options_).status().reason(), "SignatureDoesNotMatch");

  Request header = request_;
  for (auto& [k, v] : header.headers) {
    if (k == "X-Amz-Target") v = "AmazonSQS.PurgeQueue";
  }
  EXPECT_EQ(Verify(header, Lookup, options_).status().reason(), "SignatureDoesNotMatch");

  auto wrong_secret = [](const std::string& id) -> std::optional<Credentials> {
    return Credentials{id, "not-the-secret", ""};
  };
  EXPECT_EQ(Verify(request_, wrong_secret, options_).status().reason(), "SignatureDoesNotMatch");
}

TEST_F(SigV4VerifyTest, RejectsUnknownKeySkewAndMissingSignature) {
  auto none = [](const std::string&) -> std::optional<Credentials> { return std::nullopt; };
  EXPECT_EQ(Verify(request_, none, options_).status().reason(), "InvalidClientTokenId");

  VerifyOptions late = options_;
  late.now_micros += 16 * 60 * 1000000LL;
  EXPECT_EQ(Verify(request_, Lookup, late).status().reason(), "RequestExpired");

  Request unsigned_request = request_;
  std::erase_if(unsigned_request.headers, [](const auto& h) { return h.first == "Authorization"; });
  Status missing = Verify(unsigned_request, Lookup, options_).status();
  EXPECT_EQ(missing.reason(), "MissingAuthenticationToken");
  EXPECT_EQ(missing.code(), StatusCode::kUnauthenticated);

  VerifyOptions other_service = options_;
  other_service.expected_service = "sqs";
  EXPECT_EQ(Verify(request_, Lookup, other_service).status().reason(), "SignatureDoesNotMatch");
}

TEST(SigV4Test, ParseAuthorizationRejectsMalformedHeaders) {
  EXPECT_EQ(ParseAuthorization("Bearer abc").status().reason(), "IncompleteSignature");
  EXPECT_EQ(ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service, "
                               "SignedHeaders=host, Signature=00")
                .status()
                .reason(),
            "IncompleteSignature");
  Result<Authorization> ok = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/sqs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abcd");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->region, "eu-west-1");
  EXPECT_EQ(ok->service, "sqs");
  EXPECT_EQ(ok->signed_headers, "host;x-amz-date");
}

}  // namespace
}  // namespace mlw::queue::sigv4
