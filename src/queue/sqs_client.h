// The wire level of the remote SQS backend: one signed AWS JSON 1.0 call
// (POST /, X-Amz-Target: AmazonSQS.<Action>, Content-Type: application/x-amz-json-1.0) with
// retries, and the translation of SQS error responses into Status values whose reason() is the
// SQS error name.
//
// Retries: transport errors, HTTP 5xx, 429 and throttling error codes are retried with full-jitter
// exponential backoff, at most RetryPolicy::max_attempts tries in all. Every action is retried the
// same way, including SendMessageBatch: a send whose response was lost may then be enqueued twice.
// That is SQS's at-least-once contract anyway, and mlworker's triggers are idempotent.
//
// Thread-safety: Call may be used from many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "queue/aws_credentials.h"
#include "queue/http_client.h"
#include "queue/sqs_client_url.h"

namespace mlw::queue {

struct RetryPolicy {
  int max_attempts = 5;          // tries per call, the first included; 1 disables retries
  int64_t base_delay_ms = 50;    // delay before retry n is uniform in [0, min(max, base * 2^n)]
  int64_t max_delay_ms = 5000;
};

struct SqsClientOptions {
  SqsUrl endpoint;     // scheme, host and port are used; the path is ignored
  std::string region;  // signing region; REQUIRES: not empty
  std::shared_ptr<CredentialsProvider> credentials;  // REQUIRES: not null
  HttpClientOptions http;
  RetryPolicy retry;
  const Clock* clock = nullptr;  // request time for signing; default the system clock
  // Waits between retries; default std::this_thread::sleep_for. Tests pass a recorder.
  std::function<void(int64_t micros)> sleep;
  uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
};

// True for errors worth another try: transport failures and timeouts, 5xx, 429 and throttling
// codes (all kUnavailable or kDeadlineExceeded).
bool IsRetryableSqsError(const Status& status);

// Builds the Status for a non-200 response: reason is the error name from "__type"
// ("com.amazonaws.sqs#QueueDoesNotExist" -> "QueueDoesNotExist"), else from the
// x-amzn-query-error header, else "HttpStatus<N>". QueueNameExists becomes QueueAlreadyExists, the
// name queue.h uses.
Status SqsErrorFromResponse(std::string_view action, const HttpResponse& response);

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

class SqsClient {
 public:
  explicit SqsClient(SqsClientOptions options);
  SqsClient(const SqsClient&) = delete;
  SqsClient& operator=(const SqsClient&) = delete;

  // Sends `request` as the body of action `action` and returns the parsed response body.
  // `extra_timeout_ms` lengthens this call's whole-request limit (long polls).
  Result<nlohmann::json> Call(std::string_view action, const nlohmann::json& request,
                              int64_t extra_timeout_ms = 0);

  const SqsClientOptions& options() const { return options_; }

 private:
  Result<nlohmann::json> CallOnce(std::string_view action, const std::string& body,
                                  int64_t timeout_ms);
  int64_t BackoffMicros(int retry);

  const SqsClientOptions options_;
  const Clock& clock_;
  HttpClient http_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // GUARDED_BY(rng_mu_)
};

}  // namespace mlw::queue
