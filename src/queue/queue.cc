#include "queue/queue.h"

#include <utility>

namespace mlw::queue {
namespace {

// A failed single-entry batch becomes the call's error, keeping the SQS error name.
Status EntryError(const BatchError& e) {
  StatusCode code = e.sender_fault ? StatusCode::kInvalidArgument : StatusCode::kInternal;
  if (e.code == "QueueDoesNotExist") code = StatusCode::kNotFound;
  return Status(code, e.message, e.code);
}

}  // namespace

Result<SendResult> QueueService::SendMessage(const std::string& queue, SendEntry entry) {
  if (entry.id.empty()) entry.id = "0";
  std::vector<SendEntry> entries;
  entries.push_back(std::move(entry));
  MLW_ASSIGN_OR_RETURN(BatchOutcome<SendResult> out, SendMessageBatch(queue, entries));
  if (!out.failed.empty()) return EntryError(out.failed.front());
  if (out.successful.empty()) return Internal("send returned no result");
  return std::move(out.successful.front());
}

Status QueueService::DeleteMessage(const std::string& queue, const std::string& receipt_handle) {
  MLW_ASSIGN_OR_RETURN(BatchOutcome<std::string> out,
                       DeleteMessageBatch(queue, {HandleEntry{"0", receipt_handle, 0}}));
  if (!out.failed.empty()) return EntryError(out.failed.front());
  return Status::Ok();
}

Status QueueService::ChangeMessageVisibility(const std::string& queue,
                                             const std::string& receipt_handle,
                                             int visibility_timeout) {
  MLW_ASSIGN_OR_RETURN(
      BatchOutcome<std::string> out,
      ChangeMessageVisibilityBatch(queue, {HandleEntry{"0", receipt_handle, visibility_timeout}}));
  if (!out.failed.empty()) return EntryError(out.failed.front());
  return Status::Ok();
}

}  // namespace mlw::queue
