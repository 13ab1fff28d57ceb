// Moving a message out of the work queue by the worker itself (as opposed to the redrive policy):
// invalid messages go to the dead-letter queue at once with the reason attached, and messages of a
// busy user that are about to exhaust their receives are re-sent as fresh copies.
#pragma once

#include <string>

#include "core/status.h"
#include "queue/queue.h"

namespace mlw::worker {

// Message attributes the worker adds. Names follow SQS rules ([A-Za-z0-9_.-], no "AWS." prefix).
inline constexpr const char* kAttrDeadLetterReason = "mlworker.dead_letter_reason";
inline constexpr const char* kAttrDeadLetterDetail = "mlworker.dead_letter_detail";
inline constexpr const char* kAttrSourceQueue = "mlworker.source_queue";
inline constexpr const char* kAttrReceiveCount = "mlworker.receive_count";
inline constexpr const char* kAttrOriginalMessageId = "mlworker.original_message_id";

// Sends a copy of `message` (body and attributes) to `dead_letter_queue` with the reason attributes
// added, then deletes it from `source_queue`. The attributes are the reason code, its detail (at
// most 1 KiB), the source queue, the receive count and the original message id; the message's own
// attributes are kept as far as the limit of 10 allows. A crash between the two steps leaves the
// message in the source queue, which dead-letters it again: at-least-once, like SQS redrive.
Status MoveToDeadLetterQueue(queue::QueueService& service, const std::string& source_queue,
                             const std::string& dead_letter_queue, const queue::Message& message,
                             const std::string& reason, const std::string& detail);

// Re-sends `message` to `queue` as a new message (receive count 0) visible after `delay_seconds`,
// with mlworker.original_message_id set so handlers keep one idempotency key, then deletes the
// original. Used for triggers deferred because their user was busy.
Status RequeueAsNewMessage(queue::QueueService& service, const std::string& queue,
                           const queue::Message& message, int delay_seconds);

// The message id a handler should see: mlworker.original_message_id when present, else the id.
std::string LogicalMessageId(const queue::Message& message);

}  // namespace mlw::worker
