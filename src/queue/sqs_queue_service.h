// QueueService over Amazon SQS or any SQS-compatible endpoint (mlworker's own, ElasticMQ, fauxqs),
// speaking the AWS JSON 1.0 protocol through SqsClient.
//
// Names and URLs: the interface speaks queue names; each name is resolved once with GetQueueUrl
// and cached (the queue of the configured URL is known from the start). A QueueDoesNotExist answer
// drops the cached URL, so a queue deleted and re-created elsewhere is found again.
//
// Integrity: MD5OfMessageBody and MD5OfMessageAttributes are checked on every send and receive. A
// mismatch on send fails that entry (code "MD5Mismatch"); on receive it fails the whole call with
// reason "MD5Mismatch", leaving the messages to reappear after their visibility timeout (and, with
// a redrive policy, to reach the dead-letter queue).
//
// Deduplication ids are passed to SQS only for FIFO queues (names ending in ".fifo"); SQS rejects
// them on standard queues, where duplicates are possible and triggers are idempotent.
//
// Availability listeners: a remote backend cannot observe sends made by other processes, so
// listeners are registered and never called. Long polls are served by SQS itself
// (WaitTimeSeconds), which is what a worker on this backend uses.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "queue/aws_credentials.h"
#include "queue/http_client.h"
#include "queue/queue.h"
#include "queue/sqs_client.h"

namespace mlw::queue {

struct SqsOptions {
  // A queue URL (https://sqs.us-east-1.amazonaws.com/123456789012/name) or an endpoint alone
  // (http://127.0.0.1:9324).
  std::string queue_url;
  // Signing region when the URL's host names none (AWS_REGION, else AWS_DEFAULT_REGION, filled in
  // at the edge). Left empty for a non-AWS endpoint, "us-east-1" is used; for an AWS host without a
  // region in its name, empty is an error.
  std::string region;
  // Where credentials come from; null builds the default chain from `credential_chain`.
  std::shared_ptr<CredentialsProvider> credentials;
  CredentialChainOptions credential_chain;
  HttpClientOptions http;
  RetryPolicy retry;
  const Clock* clock = nullptr;  // default: the system clock; must outlive the service
  // Waits between retries and between move-task polls; default sleeps the thread.
  std::function<void(int64_t micros)> sleep;
  // StartMessageMoveTask completes before returning: ListMessageMoveTasks is polled this often,
  // for at most this long.
  int64_t move_task_poll_ms = 500;
  int64_t move_task_timeout_seconds = 600;
};

// Fills queue_url and region from a queue URL and an environment snapshot (AWS_REGION, then
// AWS_DEFAULT_REGION, then the active profile's region in the config file); credentials come from
// the default chain over the same environment.
SqsOptions SqsOptionsFor(const std::string& queue_url, const Environment& env);

// Opens the backend. Fails with kInvalidArgument for a malformed URL or a missing region; does not
// contact the endpoint.
Result<std::unique_ptr<QueueService>> OpenSqsQueueService(const SqsOptions& options);

// Makes OpenQueueService() (queue/queue_factory.h) open http:// and https:// URLs with this backend:
// region from the host, else QueueFactoryOptions::region; credentials from the default chain over
// the process environment; default queue from ?queue=<name>, else the URL's queue name. Call once
// at start-up, from the CLI's main.
void RegisterSqsQueueBackend();

// The queue named by a queue URL ("" for an endpoint URL), e.g. the worker's default queue.
Result<std::string> SqsQueueNameFromUrl(const std::string& queue_url);

}  // namespace mlw::queue
