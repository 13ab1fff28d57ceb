// Validation of queue names, queue attributes, message attributes, bodies and batch requests,
// shared by every QueueService backend so that all of them reject the same input with the same SQS
// error names (see queue.h for the list). Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "queue/queue.h"

namespace mlw::queue {

// The account id every ARN of ours carries (the queue lives on this machine, not in an account).
inline constexpr std::string_view kLocalAccountId = "000000000000";
inline constexpr int kMaxReceiveCountLimit = 1000;
inline constexpr int kPurgeIntervalSeconds = 60;

// 1..80 characters of [A-Za-z0-9_-]; InvalidParameterValue otherwise.
Status ValidateQueueName(std::string_view name);

// True when `text` is valid UTF-8 made only of characters XML 1.0 allows:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool IsXmlSafeUtf8(std::string_view text);

// Request-level checks of a batch: EmptyBatchRequest, TooManyEntriesInBatchRequest,
// InvalidBatchEntryId (1..80 of [A-Za-z0-9_-]), BatchEntryIdsNotDistinct.
Status ValidateBatchEntryIds(const std::vector<std::string_view>& ids);

// Bytes a message counts against MaximumMessageSize: body plus every attribute's name, data type
// and value, as SQS counts them.
size_t MessageSize(const SendEntry& entry);

// Entry-level checks of one message to send against the queue's maximum size: body present, not
// too long, XML-safe; delay in range; attributes valid. The Status reason is the SQS error name.
Status ValidateSendEntry(const SendEntry& entry, int maximum_message_size);
Status ValidateMessageAttributes(const MessageAttributes& attributes);

// Range checks of ReceiveMessage parameters (InvalidParameterValue).
Status ValidateReceiveOptions(const ReceiveOptions& options);
// 0..43200 seconds (InvalidParameterValue).
Status ValidateVisibilityTimeout(int seconds);

struct RedrivePolicy {
  std::string dead_letter_queue;  // queue name taken from the ARN
  std::string dead_letter_arn;
  int max_receive_count = 0;  // 1..1000
  bool operator==(const RedrivePolicy&) const = default;
};

// Parses {"deadLetterTargetArn":"arn:aws:sqs:<region>:<12 digits>:<name>","maxReceiveCount":N}
// where N is a number or a decimal string. InvalidAttributeValue naming RedrivePolicy otherwise.
Result<RedrivePolicy> ParseRedrivePolicy(std::string_view json);
// The canonical JSON text, with maxReceiveCount as a number as SQS returns it.
std::string RedrivePolicyJson(const RedrivePolicy& policy);

// The settable configuration of one queue, with SQS defaults.
struct QueueConfig {
  int visibility_timeout = kDefaultVisibilityTimeoutSeconds;
  int delay_seconds = 0;
  int maximum_message_size = kDefaultMessageSizeLimit;
  int message_retention_period = kDefaultRetentionSeconds;
  int receive_message_wait_time_seconds = 0;
  std::optional<RedrivePolicy> redrive_policy;
  // Attributes SQS accepts that change nothing here (Policy, RedriveAllowPolicy,
  // SqsManagedSseEnabled), stored and returned as given after validation.
  std::map<std::string, std::string> passthrough;
  bool operator==(const QueueConfig&) const = default;
};

// Validates every attribute and applies it to *config. Unknown or read-only names fail with
// InvalidAttributeName, bad values with InvalidAttributeValue; the message names the attribute.
// On error *config is unchanged. An empty RedrivePolicy value removes the policy.
Status ApplyQueueAttributes(const QueueAttributes& attributes, QueueConfig* config);
// The settable attributes of `config` as SQS strings (RedrivePolicy only when set).
QueueAttributes ConfigToAttributes(const QueueConfig& config);
// Serializes the passthrough map to JSON text and back, for storage.
std::string PassthroughToJson(const std::map<std::string, std::string>& passthrough);
std::map<std::string, std::string> PassthroughFromJson(std::string_view json);

// arn:aws:sqs:<region>:000000000000:<name>
std::string QueueArn(std::string_view region, std::string_view name);

// The names GetQueueAttributes understands; "All" expands to these.
const std::vector<std::string>& KnownQueueAttributeNames();
// Validates requested names (each known, or "All"); InvalidAttributeName otherwise.
Status ValidateRequestedAttributeNames(const std::vector<std::string>& names);
// True when `name` is requested (directly or through "All").
bool AttributeRequested(const std::vector<std::string>& names, std::string_view name);

}  // namespace mlw::queue
