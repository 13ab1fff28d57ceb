#include "queue/sqs_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/log.h"
#include "queue/sigv4.h"

namespace mlw::queue {
namespace {

bool IsThrottlingCode(const std::string& code) {
  static const char* const kCodes[] = {
      "Throttling",          "ThrottlingException",       "ThrottledException",
      "RequestThrottled",    "RequestThrottledException", "TooManyRequestsException",
      "SlowDown",            "RequestLimitExceeded",      "BandwidthLimitExceeded",
      "PriorRequestNotComplete", "EC2ThrottledException", "KmsThrottled"};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

StatusCode CodeFor(const std::string& reason, int http_status) {
  if (reason == "QueueDoesNotExist" || reason == "ResourceNotFoundException") {
    return StatusCode::kNotFound;
  }
  if (reason == "QueueAlreadyExists") return StatusCode::kAlreadyExists;
  if (IsThrottlingCode(reason) || http_status == 429 || http_status >= 500) {
    return StatusCode::kUnavailable;
  }
  if (reason == "InvalidClientTokenId" || reason == "SignatureDoesNotMatch" ||
      reason == "IncompleteSignature" || reason == "MissingAuthenticationToken" ||
      reason == "UnrecognizedClientException" || reason == "ExpiredToken" ||
      reason == "RequestExpired" || http_status == 401) {
    return StatusCode::kUnauthenticated;
  }
  if (reason == "AccessDenied" || reason == "AccessDeniedException" || http_status == 403) {
    return StatusCode::kPermissionDenied;
  }
  if (reason == "PurgeQueueInProgress" || reason == "QueueDeletedRecently") {
    return StatusCode::kFailedPrecondition;
  }
  if (reason == "OverLimit") return StatusCode::kResourceExhausted;
  return StatusCode::kInvalidArgument;
}

}  // namespace

bool IsRetryableSqsError(const Status& status) {
  // SqsErrorFromResponse maps 5xx, 429 and throttling codes to kUnavailable; HttpClient maps
  // transport failures to kUnavailable ("ConnectionError") and kDeadlineExceeded ("Timeout").
  return status.code() == StatusCode::kUnavailable ||
         status.code() == StatusCode::kDeadlineExceeded;
}

Status SqsErrorFromResponse(std::string_view action, const HttpResponse& response) {
  std::string reason;
  std::string message;
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    for (const char* key : {"__type", "code", "Code"}) {
      if (j.contains(key) && j[key].is_string()) {
        reason = j[key].get<std::string>();
        break;
      }
    }
    for (const char* key : {"message", "Message"}) {
      if (j.contains(key) && j[key].is_string()) {
        message = j[key].get<std::string>();
        break;
      }
    }
  }
  // "aws.protocoltests#Name:http://internal/" and "com.amazonaws.sqs#Name" both mean "Name".
  size_t hash = reason.rfind('#');
  if (hash != std::string::npos) reason = reason.substr(hash + 1);
  reason = reason.substr(0, reason.find(':'));
  if (reason.empty()) {
    auto it = response.headers.find("x-amzn-errortype");
    if (it != response.headers.end()) reason = it->second.substr(0, it->second.find(':'));
  }
  if (reason.empty()) {
    auto it = response.headers.find("x-amzn-query-error");
    if (it != response.headers.end()) reason = it->second.substr(0, it->second.find(';'));
  }
  if (reason == "QueueNameExists") reason = "QueueAlreadyExists";
  if (reason.empty()) reason = "HttpStatus" + std::to_string(response.status);
  if (message.empty()) {
    message = response.body.size() <= 200 ? response.body : response.body.substr(0, 200);
  }
  return Status(CodeFor(reason, response.status),
                "SQS " + std::string(action) + ": " + message + " (HTTP " +
                    std::to_string(response.status) + ")",
                reason);
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop one per '='.
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

SqsClient::SqsClient(SqsClientOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock::Default()),
      http_(options_.http),
      rng_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {}

int64_t SqsClient::BackoffMicros(int retry) {
  int64_t cap = options_.retry.base_delay_ms << std::min(retry, 20);
  cap = std::min(cap, options_.retry.max_delay_ms);
  if (cap <= 0) return 0;
  std::lock_guard<std::mutex> lock(rng_mu_);
  return std::uniform_int_distribution<int64_t>(0, cap * 1000)(rng_);
}

Result<nlohmann::json> SqsClient::CallOnce(std::string_view action, const std::string& body,
                                           int64_t timeout_ms) {
  MLW_ASSIGN_OR_RETURN(AwsCredentials creds, options_.credentials->GetCredentials());
  sigv4::Request req{"POST", "/", "",
                     {{"Host", options_.endpoint.HostHeader()},
                      {"Content-Type", "application/x-amz-json-1.0"},
                      {"X-Amz-Target", "AmazonSQS." + std::string(action)}},
                     body};
  sigv4::Sign(&req, creds.ForSigning(),
              {options_.region, "sqs", sigv4::FormatAmzDate(clock_.NowMicros())});
  HttpRequest http{"POST", options_.endpoint.Endpoint() + "/", std::move(req.headers),
                   std::move(req.body), timeout_ms};
  MLW_ASSIGN_OR_RETURN(HttpResponse response, http_.Send(http));
  if (response.status != 200) return SqsErrorFromResponse(action, response);
  if (response.body.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Internal("SQS " + std::string(action) + " returned a body that is not a JSON object",
                    "InvalidResponse");
  }
  return j;
}

Result<nlohmann::json> SqsClient::Call(std::string_view action, const nlohmann::json& request,
                                       int64_t extra_timeout_ms) {
  const std::string body = request.dump();
  const int64_t timeout_ms = options_.http.timeout_ms + extra_timeout_ms;
  const int attempts = std::max(1, options_.retry.max_attempts);
  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) {
      int64_t delay = BackoffMicros(attempt - 1);
      if (options_.sleep) {
        options_.sleep(delay);
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(delay));
      }
    }
    Result<nlohmann::json> result = CallOnce(action, body, timeout_ms);
    if (result.ok()) return result;
    last = result.status();
    if (!IsRetryableSqsError(last)) return last;
    log::Debug("sqs_retry", {{"action", std::string(action)},
                             {"attempt", attempt + 1},
                             {"reason", last.reason()}});
  }
  return Status(last.code(),
                last.message() + " (gave up after " + std::to_string(attempts) + " attempts)",
                last.reason());
}

}  // namespace mlw::queue
