#include "queue/sqs_protocol/errors.h"

#include <map>

namespace mlw::queue::sqs {
namespace {

struct Entry {
  const char* json_name;  // shape name in the JSON protocol
  const char* query_code;
  int http_status;
  StatusCode code;  // the Status code SqsError() gives this name
};

// Keyed by the name backends and this module put in Status::reason().
const std::map<std::string, Entry>& Table() {
  static const auto* table = new std::map<std::string, Entry>{
      {"QueueDoesNotExist",
       {"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400,
        StatusCode::kNotFound}},
      {"QueueAlreadyExists",
       {"QueueNameExists", "QueueAlreadyExists", 400, StatusCode::kAlreadyExists}},
      {"QueueNameExists",
       {"QueueNameExists", "QueueAlreadyExists", 400, StatusCode::kAlreadyExists}},
      {"QueueDeletedRecently",
       {"QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400,
        StatusCode::kFailedPrecondition}},
      {"BatchEntryIdsNotDistinct",
       {"BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400,
        StatusCode::kInvalidArgument}},
      {"BatchRequestTooLong",
       {"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400,
        StatusCode::kInvalidArgument}},
      {"EmptyBatchRequest",
       {"EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400,
        StatusCode::kInvalidArgument}},
      {"InvalidBatchEntryId",
       {"InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400,
        StatusCode::kInvalidArgument}},
      {"TooManyEntriesInBatchRequest",
       {"TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400,
        StatusCode::kInvalidArgument}},
      {"MessageNotInflight",
       {"MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400,
        StatusCode::kFailedPrecondition}},
      {"PurgeQueueInProgress",
       {"PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403,
        StatusCode::kFailedPrecondition}},
      {"UnsupportedOperation",
       {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400,
        StatusCode::kInvalidArgument}},
      {"OverLimit", {"OverLimit", "OverLimit", 403, StatusCode::kResourceExhausted}},
      {"InvalidAttributeName",
       {"InvalidAttributeName", "InvalidAttributeName", 400, StatusCode::kInvalidArgument}},
      {"InvalidAttributeValue",
       {"InvalidAttributeValue", "InvalidAttributeValue", 400, StatusCode::kInvalidArgument}},
      {"InvalidMessageContents",
       {"InvalidMessageContents", "InvalidMessageContents", 400, StatusCode::kInvalidArgument}},
      {"ReceiptHandleIsInvalid",
       {"ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 400, StatusCode::kInvalidArgument}},
      {"InvalidIdFormat",
       {"InvalidIdFormat", "InvalidIdFormat", 400, StatusCode::kInvalidArgument}},
      {"ResourceNotFoundException",
       {"ResourceNotFoundException", "ResourceNotFoundException", 404, StatusCode::kNotFound}},
      {"InvalidAddress", {"InvalidAddress", "InvalidAddress", 404, StatusCode::kInvalidArgument}},
      {"InvalidParameterValue",
       {"InvalidParameterValue", "InvalidParameterValue", 400, StatusCode::kInvalidArgument}},
      {"MissingParameter",
       {"MissingParameter", "MissingParameter", 400, StatusCode::kInvalidArgument}},
      {"InvalidAction", {"InvalidAction", "InvalidAction", 400, StatusCode::kInvalidArgument}},
      {"MalformedQueryString",
       {"MalformedQueryString", "MalformedQueryString", 400, StatusCode::kInvalidArgument}},
      {"SerializationException",
       {"SerializationException", "SerializationException", 400, StatusCode::kInvalidArgument}},
      {"RequestEntityTooLarge",
       {"RequestEntityTooLarge", "RequestEntityTooLarge", 413, StatusCode::kInvalidArgument}},
      {"InvalidClientTokenId",
       {"InvalidClientTokenId", "InvalidClientTokenId", 403, StatusCode::kUnauthenticated}},
      {"SignatureDoesNotMatch",
       {"SignatureDoesNotMatch", "SignatureDoesNotMatch", 403, StatusCode::kUnauthenticated}},
      {"MissingAuthenticationToken",
       {"MissingAuthenticationToken", "MissingAuthenticationToken", 403,
        StatusCode::kUnauthenticated}},
      {"IncompleteSignature",
       {"IncompleteSignature", "IncompleteSignature", 400, StatusCode::kUnauthenticated}},
      {"RequestExpired", {"RequestExpired", "RequestExpired", 400, StatusCode::kUnauthenticated}},
      {"ServiceUnavailable",
       {"ServiceUnavailable", "ServiceUnavailable", 503, StatusCode::kUnavailable}},
  };
  return *table;
}

// Errors the JSON protocol spells outside the SQS namespace (Smithy/Coral framework errors).
std::string JsonNamespace(const std::string& name) {
  if (name == "SerializationException") return "com.amazon.coral.service#";
  return "com.amazonaws.sqs#";
}

}  // namespace

ErrorSpelling SpellError(const Status& status) {
  std::string reason = status.reason();
  if (reason.empty() || !Table().count(reason)) {
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
        reason = "InvalidParameterValue";
        break;
      case StatusCode::kNotFound:
        reason = "QueueDoesNotExist";
        break;
      case StatusCode::kUnavailable:
        reason = "ServiceUnavailable";
        break;
      default: {
        ErrorSpelling internal;
        internal.json_type = "com.amazonaws.sqs#InternalError";
        internal.query_code = "InternalError";
        internal.http_status = 500;
        internal.sender_fault = false;
        return internal;
      }
    }
  }
  const Entry& e = Table().at(reason);
  ErrorSpelling out;
  out.json_type = JsonNamespace(e.json_name) + e.json_name;
  out.query_code = e.query_code;
  out.http_status = e.http_status;
  out.sender_fault = e.http_status < 500;
  return out;
}

Status SqsError(const std::string& name, std::string message) {
  auto it = Table().find(name);
  StatusCode code = it == Table().end() ? StatusCode::kInvalidArgument : it->second.code;
  return Status(code, std::move(message), name);
}

}  // namespace mlw::queue::sqs
