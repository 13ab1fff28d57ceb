// The message actions of SqsActions: send, receive (with long polls), delete, visibility.
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "queue/sqs_protocol/actions.h"
#include "queue/sqs_protocol/errors.h"
#include "queue/sqs_protocol/message_codec.h"

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

// Decodes the members a SendMessage request and a SendMessageBatch entry share.
Result<SendEntry> DecodeSendEntry(const Params& p, const std::string& where) {
  SendEntry entry;
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> body, p.OptionalString("MessageBody"));
  if (!body) return MissingParameter(where + "MessageBody");
  entry.body = std::move(*body);
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> delay,
                       p.OptionalIntInRange("DelaySeconds", 0, kMaxDelaySeconds));
  if (delay) entry.delay_seconds = static_cast<int>(*delay);
  if (const json* attributes = p.Find("MessageAttributes")) {
    MLW_ASSIGN_OR_RETURN(entry.attributes,
                         DecodeMessageAttributes(*attributes, where + "MessageAttributes"));
  }
  if (const json* system = p.Find("MessageSystemAttributes"); system && !system->empty()) {
    return SqsError("UnsupportedOperation",
                    "MessageSystemAttributes (AWSTraceHeader) are not supported by this endpoint.");
  }
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> dedup,
                       p.OptionalString("MessageDeduplicationId"));
  if (dedup) entry.deduplication_id = std::move(*dedup);
  // MessageGroupId only orders FIFO queues and shares fairly on standard ones; this endpoint has
  // standard queues with no per-group fairness, so it is validated as a string and not used.
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> group, p.OptionalString("MessageGroupId"));
  (void)group;
  return entry;
}

json EncodeSendResult(const SendResult& r, bool with_id) {
  json out = {{"MessageId", r.message_id}, {"MD5OfMessageBody", r.md5_of_body}};
  if (!r.md5_of_attributes.empty()) out["MD5OfMessageAttributes"] = r.md5_of_attributes;
  if (with_id) out["Id"] = r.id;
  return out;
}

BatchError EntryFailure(const std::string& id, const Status& status) {
  std::string code = status.reason().empty() ? "InvalidParameterValue" : status.reason();
  return BatchError{id, code, status.message(), status.code() != StatusCode::kInternal};
}

// Decodes the receipt-handle entries of DeleteMessageBatch / ChangeMessageVisibilityBatch;
// entry-level problems land in `failed`.
Result<std::vector<HandleEntry>> DecodeHandleEntries(const Params& p, const std::string& entry_name,
                                                     bool with_visibility,
                                                     std::vector<BatchError>* failed) {
  MLW_ASSIGN_OR_RETURN(std::vector<const json*> raw, p.ObjectList("Entries"));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> ids, CheckBatchIds(raw, entry_name));
  std::vector<HandleEntry> entries;
  for (size_t i = 0; i < raw.size(); ++i) {
    Params e(*raw[i]);
    HandleEntry entry;
    entry.id = ids[i];
    Result<std::string> handle = e.RequiredString("ReceiptHandle");
    if (!handle.ok()) {
      failed->push_back(EntryFailure(ids[i], handle.status()));
      continue;
    }
    entry.receipt_handle = std::move(handle).value();
    if (with_visibility) {
      Result<std::optional<int64_t>> timeout =
          e.OptionalIntInRange("VisibilityTimeout", 0, kMaxVisibilityTimeoutSeconds);
      if (!timeout.ok()) {
        failed->push_back(EntryFailure(ids[i], timeout.status()));
        continue;
      }
      if (!timeout->has_value()) {
        failed->push_back(EntryFailure(ids[i], MissingParameter("VisibilityTimeout")));
        continue;
      }
      entry.visibility_timeout = static_cast<int>(**timeout);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

json EncodeHandleOutcome(const BatchOutcome<std::string>& outcome, std::vector<BatchError> failed) {
  json successful = json::array();
  for (const std::string& id : outcome.successful) successful.push_back({{"Id", id}});
  failed.insert(failed.end(), outcome.failed.begin(), outcome.failed.end());
  return json{{"Successful", std::move(successful)}, {"Failed", EncodeBatchErrors(failed)}};
}

}  // namespace

Result<json> SqsActions::SendMessage(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string queue, QueueName(p, c));
  MLW_ASSIGN_OR_RETURN(SendEntry entry, DecodeSendEntry(p, ""));
  MLW_ASSIGN_OR_RETURN(SendResult result, service_->SendMessage(queue, std::move(entry)));
  return EncodeSendResult(result, false);
}

Result<json> SqsActions::SendMessageBatch(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string queue, QueueName(p, c));
  MLW_ASSIGN_OR_RETURN(std::vector<const json*> raw, p.ObjectList("Entries"));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                       CheckBatchIds(raw, "SendMessageBatchRequestEntry"));
  std::vector<SendEntry> entries;
  std::vector<BatchError> failed;
  for (size_t i = 0; i < raw.size(); ++i) {
    Result<SendEntry> entry = DecodeSendEntry(Params(*raw[i]), "");
    if (!entry.ok()) {
      failed.push_back(EntryFailure(ids[i], entry.status()));
      continue;
    }
    entry->id = ids[i];
    entries.push_back(std::move(entry).value());
  }
  json successful = json::array();
  if (!entries.empty()) {
    MLW_ASSIGN_OR_RETURN(BatchOutcome<SendResult> outcome,
                         service_->SendMessageBatch(queue, entries));
    for (const SendResult& r : outcome.successful) successful.push_back(EncodeSendResult(r, true));
    failed.insert(failed.end(), outcome.failed.begin(), outcome.failed.end());
  } else {
    // Every entry failed to decode: the queue must still exist for a batch result to make sense.
    MLW_RETURN_IF_ERROR(service_->GetQueueAttributes(queue, {"QueueArn"}).status());
  }
  return json{{"Successful", std::move(successful)}, {"Failed", EncodeBatchErrors(failed)}};
}

Result<json> SqsActions::DeleteMessage(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string queue, QueueName(p, c));
  MLW_ASSIGN_OR_RETURN(std::string handle, p.RequiredString("ReceiptHandle"));
  MLW_RETURN_IF_ERROR(service_->DeleteMessage(queue, handle));
  return json::object();
}

Result<json> SqsActions::DeleteMessageBatch(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string queue, QueueName(p, c));
  std::vector<BatchError> failed;
  MLW_ASSIGN_OR_RETURN(std::vector<HandleEntry> entries,
                       DecodeHandleEntries(p, "DeleteMessageBatchRequestEntry", false, &failed));
  BatchOutcome<std::string> outcome;
  if (!entries.empty()) {
    MLW_ASSIGN_OR_RETURN(outcome, service_->DeleteMessageBatch(queue, entries));
  }
  return EncodeHandleOutcome(outcome, std::move(failed));
}

Result<json> SqsActions::ChangeMessageVisibility(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string queue, QueueName(p, c));
  MLW_ASSIGN_OR_RETURN(std::string handle, p.RequiredString("ReceiptHandle"));
  MLW_ASSIGN_OR_RETURN(int64_t timeout, p.RequiredInt("VisibilityTimeout"));
  if (timeout < 0 || timeout > kMaxVisibilityTimeoutSeconds) {
    return InvalidParameter("VisibilityTimeout", std::to_string(timeout),
                            "Must be between 0 and 43200, if provided.");
  }
  MLW_RETURN_IF_ERROR(service_->ChangeMessageVisibility(queue, handle, static_cast<int>(timeout)));
  return json::object();
}

Result<json> SqsActions::ChangeMessageVisibilityBatch(const Params& p,
                                                      const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string queue, QueueName(p, c));
  std::vector<BatchError> failed;
  MLW_ASSIGN_OR_RETURN(
      std::vector<HandleEntry> entries,
      DecodeHandleEntries(p, "ChangeMessageVisibilityBatchRequestEntry", true, &failed));
  BatchOutcome<std::string> outcome;
  if (!entries.empty()) {
    MLW_ASSIGN_OR_RETURN(outcome, service_->ChangeMessageVisibilityBatch(queue, entries));
  }
  return EncodeHandleOutcome(outcome, std::move(failed));
}

void SqsActions::ReceiveMessage(const Params& p, const ActionContext& c, ActionDone done) const {
  Result<ReceivePlan> planned = PlanReceive(p, c);
  if (!planned.ok()) {
    done(planned.status());
    return;
  }
  auto plan = std::make_shared<const ReceivePlan>(std::move(planned).value());
  auto render = [plan](Result<std::vector<Message>> messages) -> Result<json> {
    if (!messages.ok()) return messages.status();
    json out = json::object();
    if (!messages->empty()) {
      json list = json::array();
      for (const Message& m : *messages) {
        list.push_back(EncodeMessage(m, plan->system_attributes, plan->attribute_names));
      }
      out["Messages"] = std::move(list);
    }
    return out;
  };
  // Try at once; park only when the queue is empty now and the caller asked to wait.
  Result<std::vector<Message>> first = service_->ReceiveMessage(plan->queue, plan->options);
  if (!first.ok() || !first->empty() || plan->wait_seconds == 0) {
    done(render(std::move(first)));
    return;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(plan->wait_seconds);
  waiter_->WaitForMessages(plan->queue, plan->options, deadline,
                           [render, done = std::move(done)](Result<std::vector<Message>> messages) {
                             done(render(std::move(messages)));
                           });
}

Result<SqsActions::ReceivePlan> SqsActions::PlanReceive(const Params& p,
                                                        const ActionContext& c) const {
  ReceivePlan plan;
  MLW_ASSIGN_OR_RETURN(plan.queue, QueueName(p, c));
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> max,
                       p.OptionalIntInRange("MaxNumberOfMessages", 1, kMaxBatchEntries));
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> visibility,
                       p.OptionalIntInRange("VisibilityTimeout", 0, kMaxVisibilityTimeoutSeconds));
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> wait,
                       p.OptionalIntInRange("WaitTimeSeconds", 0, kMaxWaitSeconds));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> system_names, p.StringList("AttributeNames"));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> more_names,
                       p.StringList("MessageSystemAttributeNames"));
  system_names.insert(system_names.end(), more_names.begin(), more_names.end());
  MLW_ASSIGN_OR_RETURN(plan.system_attributes, SelectSystemAttributes(system_names));
  MLW_ASSIGN_OR_RETURN(plan.attribute_names, p.StringList("MessageAttributeNames"));
  if (!wait) {
    MLW_ASSIGN_OR_RETURN(QueueAttributes attrs, service_->GetQueueAttributes(
                                                    plan.queue, {"ReceiveMessageWaitTimeSeconds"}));
    auto it = attrs.find("ReceiveMessageWaitTimeSeconds");
    int queue_wait = 0;
    if (it != attrs.end()) queue_wait = std::atoi(it->second.c_str());
    wait = std::clamp(queue_wait, 0, kMaxWaitSeconds);
  }
  plan.options.max_messages = static_cast<int>(max.value_or(1));
  plan.options.wait_seconds = 0;  // waiting is done here, without holding a thread
  if (visibility) plan.options.visibility_timeout = static_cast<int>(*visibility);
  plan.wait_seconds = static_cast<int>(*wait);
  return plan;
}

}  // namespace mlw::queue::sqs
