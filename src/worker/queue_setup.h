// Start-up of the worker's queues: the work queue (default `ml-worker`) with a redrive policy to
// its dead-letter queue (default `ml-worker-dlq`, maxReceiveCount 3, visibility timeout 300 s, as
// in the original deployment), created when missing. Existing queues are used as they are: their
// redrive policy, not the options, decides where failing messages go and after how many receives.
#pragma once

#include <string>

#include "core/status.h"
#include "queue/queue.h"

namespace mlw::worker {

struct QueueSetupOptions {
  std::string queue_name = "ml-worker";
  std::string dead_letter_queue_name = "ml-worker-dlq";
  // Create the queues when missing; when false a missing queue fails the start.
  bool create_if_missing = true;
  // RedrivePolicy maxReceiveCount of a queue created here (1..1000).
  int max_receive_count = 3;
  // VisibilityTimeout attribute of queues created here, in seconds.
  int visibility_timeout_seconds = 300;
};

struct QueueSetup {
  std::string queue;
  // Where invalid messages go and where the redrive policy sends exhausted ones.
  std::string dead_letter_queue;
  // maxReceiveCount of the queue's redrive policy; 0 when the queue has none (then failing
  // messages are retried until the retention period ends).
  int max_receive_count = 0;
};

// Errors name the queue and carry the queue layer's reason.
Result<QueueSetup> EnsureQueues(queue::QueueService& service, const QueueSetupOptions& options);

}  // namespace mlw::worker
