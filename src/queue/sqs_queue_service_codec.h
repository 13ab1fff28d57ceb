// Translation between queue.h types and the JSON shapes of SQS's AWS JSON 1.0 protocol, for the
// remote backend (requests it sends, responses it reads), including the MD5 checks of sends and
// receives. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "queue/queue.h"

namespace mlw::queue {

// The strings in array member `key`; empty when absent or not an array.
std::vector<std::string> StringArray(const nlohmann::json& object, const char* key);

// {"Name":{"DataType":"String","StringValue":"v"}} / {"BinaryValue":"<base64>"}.
nlohmann::json EncodeMessageAttributes(const MessageAttributes& attributes);
Result<MessageAttributes> DecodeMessageAttributes(const nlohmann::json& object);

// SendMessageBatch Entries. For FIFO queues the deduplication id is sent and every message goes to
// one message group ("mlworker"), since queue.h has no group ids.
nlohmann::json EncodeSendEntries(const std::vector<SendEntry>& entries, bool fifo);
// Successful/Failed of a SendMessageBatch response. A successful entry whose MD5s do not match
// what was sent is reported as failed with code "MD5Mismatch" (sender_fault false).
Result<BatchOutcome<SendResult>> DecodeSendOutcome(const nlohmann::json& response,
                                                   const std::vector<SendEntry>& entries);
// Successful/Failed of a DeleteMessageBatch or ChangeMessageVisibilityBatch response.
Result<BatchOutcome<std::string>> DecodeIdOutcome(const nlohmann::json& response);
// Messages of a ReceiveMessage response; fails with reason "MD5Mismatch" if any body or attribute
// digest does not match.
Result<std::vector<Message>> DecodeMessages(const nlohmann::json& response);
// From a ListMessageMoveTasks response: nullopt while the task `task_handle` (or, if the server
// no longer shows handles of finished tasks, the most recent task) is RUNNING; its result when
// COMPLETED; an error when FAILED or CANCELLED.
Result<std::optional<MoveTaskResult>> DecodeMoveTaskStatus(const nlohmann::json& response,
                                                           const std::string& task_handle);

}  // namespace mlw::queue
