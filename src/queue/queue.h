// The queue layer's public surface: a QueueService holds named queues with Amazon SQS semantics
// (DESIGN.md "Queue semantics"). Backends: sqlite (embedded default), postgres, sqs (remote);
// choose one with OpenQueueService() in queue/queue_factory.h.
//
// Errors: every failing call returns a Status whose reason() is the SQS error name a client expects
// ("QueueDoesNotExist", "ReceiptHandleIsInvalid", "InvalidParameterValue", "MissingParameter",
// "TooManyEntriesInBatchRequest", "BatchEntryIdsNotDistinct", "EmptyBatchRequest",
// "InvalidBatchEntryId", "InvalidAttributeName", "InvalidAttributeValue", "InvalidMessageContents",
// "MessageNotInflight", "QueueAlreadyExists", "PurgeQueueInProgress", "ResourceNotFoundException",
// "UnsupportedOperation"); protocol layers only translate it.
//
// Thread-safety: implementations are safe to call from many threads at once, and several processes
// may share one backend (file or server). A call that returned OK is durable: it survives a crash
// of any process.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace mlw::queue {

// Limits of Amazon SQS that every backend enforces.
inline constexpr int kMaxBatchEntries = 10;
inline constexpr int kMaxMessageAttributes = 10;
inline constexpr int kMaxWaitSeconds = 20;
inline constexpr int kMaxDelaySeconds = 900;
inline constexpr int kMaxVisibilityTimeoutSeconds = 12 * 60 * 60;
inline constexpr int kMinMessageSizeLimit = 1024;
inline constexpr int kMaxMessageSizeLimit = 1024 * 1024;
inline constexpr int kDefaultMessageSizeLimit = 256 * 1024;
inline constexpr int kMinRetentionSeconds = 60;
inline constexpr int kMaxRetentionSeconds = 14 * 24 * 60 * 60;
inline constexpr int kDefaultRetentionSeconds = 4 * 24 * 60 * 60;
inline constexpr int kDefaultVisibilityTimeoutSeconds = 30;
inline constexpr int kDeduplicationWindowSeconds = 5 * 60;

// A message attribute. data_type is "String", "Number" or "Binary", optionally followed by
// ".<custom label>". Binary values hold raw bytes (base64 only on the wire).
struct MessageAttribute {
  std::string data_type;
  std::string string_value;
  std::string binary_value;
  bool operator==(const MessageAttribute&) const = default;
};
// Ordered by name, as the SQS attribute MD5 requires.
using MessageAttributes = std::map<std::string, MessageAttribute>;

// Queue attributes by their SQS names ("VisibilityTimeout", "RedrivePolicy", …); values as strings,
// RedrivePolicy as its JSON text {"deadLetterTargetArn":"…","maxReceiveCount":"3"}.
using QueueAttributes = std::map<std::string, std::string>;

struct SendEntry {
  std::string id;                    // batch entry id; echoed in batch results
  std::string body;                  // 1 byte .. MaximumMessageSize, XML-safe Unicode
  std::optional<int> delay_seconds;  // 0..900; unset means the queue's DelaySeconds
  MessageAttributes attributes;      // at most 10
  std::string deduplication_id;  // optional: a repeat within 5 minutes is accepted, not enqueued
};

struct SendResult {
  std::string id;  // batch entry id
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_attributes;  // empty when the message has no attributes
};

struct ReceiveOptions {
  int max_messages = 1;                   // 1..10
  std::optional<int> wait_seconds;        // 0..20; unset means ReceiveMessageWaitTimeSeconds
  std::optional<int> visibility_timeout;  // 0..43200; unset means the queue's VisibilityTimeout
};

struct Message {
  std::string message_id;
  std::string receipt_handle;  // valid until the next receive of this message
  std::string body;
  std::string md5_of_body;
  MessageAttributes attributes;
  std::string md5_of_attributes;
  int receive_count = 0;                   // ApproximateReceiveCount, including this receive
  int64_t sent_timestamp_ms = 0;           // SentTimestamp; kept when moved to a dead-letter queue
  int64_t first_receive_timestamp_ms = 0;  // ApproximateFirstReceiveTimestamp
};

// One entry of a DeleteMessageBatch or ChangeMessageVisibilityBatch.
struct HandleEntry {
  std::string id;
  std::string receipt_handle;
  int visibility_timeout = 0;  // ChangeMessageVisibilityBatch only
};

// The outcome of one batch entry that failed; code is the SQS error name.
struct BatchError {
  std::string id;
  std::string code;
  std::string message;
  bool sender_fault = true;
};

template <typename T>
struct BatchOutcome {
  std::vector<T> successful;
  std::vector<BatchError> failed;
};

struct MoveTaskResult {
  std::string task_handle;
  int64_t moved = 0;  // messages moved back to their source queues
};

class QueueService {
 public:
  QueueService() = default;
  QueueService(const QueueService&) = delete;
  QueueService& operator=(const QueueService&) = delete;
  virtual ~QueueService() = default;

  // Creates a queue, or returns OK if it exists with the same attributes (QueueAlreadyExists if the
  // attributes differ). Names: 1..80 of [A-Za-z0-9_-].
  virtual Status CreateQueue(const std::string& name, const QueueAttributes& attributes) = 0;
  virtual Status DeleteQueue(const std::string& name) = 0;
  // Names of queues starting with prefix (all when empty), sorted.
  virtual Result<std::vector<std::string>> ListQueues(const std::string& prefix) = 0;
  // Returns the requested attributes ("All" for every one), including the Approximate* counters,
  // CreatedTimestamp, LastModifiedTimestamp and QueueArn.
  virtual Result<QueueAttributes> GetQueueAttributes(const std::string& name,
                                                     const std::vector<std::string>& names) = 0;
  virtual Status SetQueueAttributes(const std::string& name, const QueueAttributes& attributes) = 0;

  // Validates every entry; a request-level problem (empty, > 10 entries, duplicate ids, total size)
  // fails the call, an entry-level problem fails only that entry. Accepted entries are durable
  // when this returns.
  virtual Result<BatchOutcome<SendResult>> SendMessageBatch(
      const std::string& queue, const std::vector<SendEntry>& entries) = 0;
  // Long-polls up to the wait time and returns as soon as at least one message is available.
  virtual Result<std::vector<Message>> ReceiveMessage(const std::string& queue,
                                                      const ReceiveOptions& options) = 0;
  virtual Result<BatchOutcome<std::string>> DeleteMessageBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) = 0;
  virtual Result<BatchOutcome<std::string>> ChangeMessageVisibilityBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) = 0;
  virtual Status PurgeQueue(const std::string& queue) = 0;
  // Queues whose RedrivePolicy names `dead_letter_queue` as their dead-letter target.
  virtual Result<std::vector<std::string>> ListDeadLetterSourceQueues(
      const std::string& dead_letter_queue) = 0;
  // Moves every message of a dead-letter queue back to the queue it came from (or to
  // `destination` when given). Completes before returning.
  virtual Result<MoveTaskResult> StartMessageMoveTask(const std::string& dead_letter_queue,
                                                      const std::string& destination) = 0;

  // Availability notifications, so that a server can park hundreds of long polls without a thread
  // each. The listener is called with a queue name when messages may have become available there:
  // after a send, a visibility change or a redrive in this process and, for backends shared between
  // processes, within about 50 ms of one made by another process. Visibility expiry is not
  // announced: a parked poll re-checks at least once a second. The listener runs on a backend
  // thread, must return quickly and must not call back into the service.
  using AvailabilityListener = std::function<void(const std::string& queue)>;
  virtual uint64_t AddAvailabilityListener(AvailabilityListener listener) = 0;
  virtual void RemoveAvailabilityListener(uint64_t listener_id) = 0;

  // Single-entry conveniences over the batch calls.
  Result<SendResult> SendMessage(const std::string& queue, SendEntry entry);
  Status DeleteMessage(const std::string& queue, const std::string& receipt_handle);
  Status ChangeMessageVisibility(const std::string& queue, const std::string& receipt_handle,
                                 int visibility_timeout);
};

}  // namespace mlw::queue
