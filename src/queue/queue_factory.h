// Opens a QueueService from a URL, choosing the backend by scheme:
//   sqlite:///abs/path/queue.db   sqlite://relative/path/queue.db      (embedded, this module)
//   postgresql://… / postgres://…                                       (registered by postgres_queue)
//   http(s)://host[:port]/<account>/<queue>                             (registered by sqs_client)
// An optional `?queue=<name>` (URL-encoded) names the default queue for callers that work on one
// queue (the worker, the CLI); other query parameters are backend options (sqlite: sync=full|normal).
//
// Other backends plug in through RegisterQueueBackend(), called once at start-up (for instance
// from the CLI's main) before OpenQueueService(); the sqlite backend is always registered.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "queue/queue.h"

namespace mlw::queue {

struct QueueFactoryOptions {
  // Drives visibility, delays and retention; must outlive the opened service.
  const Clock* clock = &SystemClock::Default();
  // Region for ARNs (AWS_REGION at the edge); backends that talk to AWS use it for signing.
  std::string region = "us-east-1";
};

struct OpenedQueue {
  std::unique_ptr<QueueService> service;
  std::string default_queue;  // from ?queue=<name>; empty when absent
};

// A URL split into the parts every backend needs.
struct QueueUrl {
  std::string scheme;                        // lower case, without "://"
  std::string rest;                          // after "://", before '?'
  std::map<std::string, std::string> query;  // decoded query parameters
};

// Splits and percent-decodes `url`; InvalidArgument for a URL without "scheme://".
Result<QueueUrl> ParseQueueUrl(const std::string& url);

using QueueBackendFactory =
    std::function<Result<OpenedQueue>(const QueueUrl& url, const QueueFactoryOptions& options)>;

// Makes `schemes` open with `factory`; a later registration of a scheme replaces the earlier one.
// Thread-safe.
void RegisterQueueBackend(const std::vector<std::string>& schemes, QueueBackendFactory factory);

// Opens the backend for `url`; InvalidArgument naming the accepted forms for unknown schemes.
Result<OpenedQueue> OpenQueueService(const std::string& url, const QueueFactoryOptions& options);

}  // namespace mlw::queue
