#include "queue/sqs_protocol/actions.h"

#include <algorithm>
#include <set>

#include "queue/sqs_protocol/base64.h"
#include "queue/sqs_protocol/errors.h"
#include "queue/sqs_protocol/queue_url.h"

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

// Actions of the SQS API this endpoint knows but does not implement.
bool IsUnsupported(const std::string& action) {
  static const auto* actions =
      new std::set<std::string>{"AddPermission", "RemovePermission", "TagQueue",
                                "UntagQueue",    "ListQueueTags",    "CancelMessageMoveTask"};
  return actions->count(action) > 0;
}

// One page of `names` (sorted) after NextToken, MaxResults long when given (1..1000).
struct Page {
  std::vector<std::string> names;
  std::string next_token;
};

Result<Page> Paginate(const std::vector<std::string>& sorted, const Params& p) {
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> max_results,
                       p.OptionalIntInRange("MaxResults", 1, 1000));
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> token, p.OptionalString("NextToken"));
  std::string after;
  if (token && !token->empty()) {
    Result<std::string> decoded = Base64Decode(*token);
    if (!decoded.ok()) return InvalidParameter("NextToken", *token, "Invalid token.");
    after = std::move(decoded).value();
  }
  Page page;
  for (const std::string& name : sorted) {
    if (!after.empty() && name <= after) continue;
    if (max_results && static_cast<int64_t>(page.names.size()) == *max_results) {
      page.next_token = Base64Encode(page.names.back());
      break;
    }
    page.names.push_back(name);
  }
  return page;
}

}  // namespace

SqsActions::SqsActions(QueueService* service, ReceiveWaiter* waiter)
    : service_(service), waiter_(waiter) {}

const std::map<std::string, SqsActions::Sync>& SqsActions::SyncActions() const {
  static const auto* table = new std::map<std::string, Sync>{
      {"CreateQueue", &SqsActions::CreateQueue},
      {"GetQueueUrl", &SqsActions::GetQueueUrl},
      {"ListQueues", &SqsActions::ListQueues},
      {"DeleteQueue", &SqsActions::DeleteQueue},
      {"GetQueueAttributes", &SqsActions::GetQueueAttributes},
      {"SetQueueAttributes", &SqsActions::SetQueueAttributes},
      {"PurgeQueue", &SqsActions::PurgeQueue},
      {"ListDeadLetterSourceQueues", &SqsActions::ListDeadLetterSourceQueues},
      {"StartMessageMoveTask", &SqsActions::StartMessageMoveTask},
      {"ListMessageMoveTasks", &SqsActions::ListMessageMoveTasks},
      {"SendMessage", &SqsActions::SendMessage},
      {"SendMessageBatch", &SqsActions::SendMessageBatch},
      {"DeleteMessage", &SqsActions::DeleteMessage},
      {"DeleteMessageBatch", &SqsActions::DeleteMessageBatch},
      {"ChangeMessageVisibility", &SqsActions::ChangeMessageVisibility},
      {"ChangeMessageVisibilityBatch", &SqsActions::ChangeMessageVisibilityBatch},
  };
  return *table;
}

void SqsActions::Execute(const std::string& action, const json& input, const ActionContext& context,
                         ActionDone done) const {
  if (!input.is_object()) {
    done(SqsError("SerializationException", "The request body must be a JSON object."));
    return;
  }
  Params params(input);
  if (action == "ReceiveMessage") {
    ReceiveMessage(params, context, std::move(done));
    return;
  }
  auto it = SyncActions().find(action);
  if (it != SyncActions().end()) {
    done((this->*(it->second))(params, context));
    return;
  }
  if (IsUnsupported(action)) {
    done(SqsError("UnsupportedOperation", action + " is not supported by this endpoint."));
    return;
  }
  done(SqsError("InvalidAction", "The action " + action + " is not valid for this endpoint."));
}

Result<std::string> SqsActions::QueueName(const Params& p, const ActionContext& context) const {
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> url, p.OptionalString("QueueUrl"));
  if (url && !url->empty()) return QueueNameFromUrl(*url);
  if (!context.path_queue.empty()) return context.path_queue;
  return MissingParameter("QueueUrl");
}

Result<json> SqsActions::CreateQueue(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string name, p.RequiredString("QueueName"));
  MLW_ASSIGN_OR_RETURN(auto attributes, p.StringMap("Attributes"));
  for (const char* tags : {"tags", "Tags"}) {
    const json* t = p.Find(tags);
    if (t && !t->empty()) {
      return SqsError("UnsupportedOperation", "Queue tags are not supported by this endpoint.");
    }
  }
  MLW_RETURN_IF_ERROR(service_->CreateQueue(name, attributes));
  return json{{"QueueUrl", sqs::QueueUrl(c.base_url, name)}};
}

Result<json> SqsActions::GetQueueUrl(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string name, p.RequiredString("QueueName"));
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> owner,
                       p.OptionalString("QueueOwnerAWSAccountId"));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> names, service_->ListQueues(name));
  bool exists = std::find(names.begin(), names.end(), name) != names.end();
  if (!exists || (owner && !owner->empty() && *owner != kAccountId)) {
    return SqsError("QueueDoesNotExist", "The specified queue does not exist.");
  }
  return json{{"QueueUrl", sqs::QueueUrl(c.base_url, name)}};
}

Result<json> SqsActions::ListQueues(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> prefix, p.OptionalString("QueueNamePrefix"));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> names, service_->ListQueues(prefix.value_or("")));
  std::sort(names.begin(), names.end());
  MLW_ASSIGN_OR_RETURN(Page page, Paginate(names, p));
  json out = json::object();
  if (!page.names.empty()) {
    json urls = json::array();
    for (const std::string& name : page.names) urls.push_back(sqs::QueueUrl(c.base_url, name));
    out["QueueUrls"] = std::move(urls);
  }
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

Result<json> SqsActions::DeleteQueue(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string name, QueueName(p, c));
  MLW_RETURN_IF_ERROR(service_->DeleteQueue(name));
  return json::object();
}

Result<json> SqsActions::GetQueueAttributes(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string name, QueueName(p, c));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> names, p.StringList("AttributeNames"));
  MLW_ASSIGN_OR_RETURN(QueueAttributes attributes, service_->GetQueueAttributes(name, names));
  json out = json::object();
  if (!attributes.empty()) out["Attributes"] = attributes;
  return out;
}

Result<json> SqsActions::SetQueueAttributes(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string name, QueueName(p, c));
  if (!p.Find("Attributes")) return MissingParameter("Attributes");
  MLW_ASSIGN_OR_RETURN(auto attributes, p.StringMap("Attributes"));
  MLW_RETURN_IF_ERROR(service_->SetQueueAttributes(name, attributes));
  return json::object();
}

Result<json> SqsActions::PurgeQueue(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string name, QueueName(p, c));
  MLW_RETURN_IF_ERROR(service_->PurgeQueue(name));
  return json::object();
}

Result<json> SqsActions::ListDeadLetterSourceQueues(const Params& p, const ActionContext& c) const {
  MLW_ASSIGN_OR_RETURN(std::string name, QueueName(p, c));
  MLW_ASSIGN_OR_RETURN(std::vector<std::string> names, service_->ListDeadLetterSourceQueues(name));
  std::sort(names.begin(), names.end());
  MLW_ASSIGN_OR_RETURN(Page page, Paginate(names, p));
  json urls = json::array();
  for (const std::string& source : page.names) urls.push_back(sqs::QueueUrl(c.base_url, source));
  json out = {{"queueUrls", std::move(urls)}};
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

Result<json> SqsActions::StartMessageMoveTask(const Params& p, const ActionContext&) const {
  MLW_ASSIGN_OR_RETURN(std::string source_arn, p.RequiredString("SourceArn"));
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> destination_arn,
                       p.OptionalString("DestinationArn"));
  // The move completes within the call, so the rate is only echoed by ListMessageMoveTasks.
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> rate,
                       p.OptionalIntInRange("MaxNumberOfMessagesPerSecond", 1, 500));
  MLW_ASSIGN_OR_RETURN(std::string source, QueueNameFromArn(source_arn));
  std::string destination;
  if (destination_arn && !destination_arn->empty()) {
    MLW_ASSIGN_OR_RETURN(destination, QueueNameFromArn(*destination_arn));
  }
  const int64_t started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  MLW_ASSIGN_OR_RETURN(MoveTaskResult result, service_->StartMessageMoveTask(source, destination));
  move_tasks_.Record({source_arn, destination_arn.value_or(""), rate, result.moved, started_ms});
  return json{{"TaskHandle", result.task_handle}};
}

Result<json> SqsActions::ListMessageMoveTasks(const Params& p, const ActionContext&) const {
  MLW_ASSIGN_OR_RETURN(std::string source_arn, p.RequiredString("SourceArn"));
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> max_results,
                       p.OptionalIntInRange("MaxResults", 1, 10));
  MLW_ASSIGN_OR_RETURN(std::string source, QueueNameFromArn(source_arn));
  MLW_RETURN_IF_ERROR(service_->GetQueueAttributes(source, {"QueueArn"}).status());
  return json{
      {"Results", move_tasks_.List(source_arn, static_cast<size_t>(max_results.value_or(1)))}};
}

Result<std::vector<std::string>> CheckBatchIds(const std::vector<const json*>& entries,
                                               const std::string& entry_name) {
  if (entries.empty()) {
    return SqsError("EmptyBatchRequest",
                    "There should be at least one " + entry_name + " in the request.");
  }
  if (entries.size() > static_cast<size_t>(kMaxBatchEntries)) {
    return SqsError("TooManyEntriesInBatchRequest", "Maximum number of entries per request are " +
                                                        std::to_string(kMaxBatchEntries) +
                                                        ". You have sent " +
                                                        std::to_string(entries.size()) + ".");
  }
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    Params entry(*entries[i]);
    Result<std::string> id = entry.RequiredString("Id");
    if (!id.ok()) {
      if (id.status().reason() == "MissingParameter") {
        return MissingParameter(entry_name + "." + std::to_string(i + 1) + ".Id");
      }
      return id.status();
    }
    bool valid = !id->empty() && id->size() <= 80 &&
                 std::all_of(id->begin(), id->end(), [](unsigned char ch) {
                   return std::isalnum(ch) || ch == '-' || ch == '_';
                 });
    if (!valid) {
      return SqsError("InvalidBatchEntryId",
                      "A batch entry id can only contain alphanumeric characters, hyphens and "
                      "underscores. It can be at most 80 letters long.");
    }
    if (!seen.insert(*id).second) {
      return SqsError("BatchEntryIdsNotDistinct", "Id " + *id + " repeated.");
    }
    ids.push_back(*id);
  }
  return ids;
}

json EncodeBatchErrors(const std::vector<BatchError>& failed) {
  json out = json::array();
  for (const BatchError& e : failed) {
    out.push_back(
        {{"Id", e.id}, {"SenderFault", e.sender_fault}, {"Code", e.code}, {"Message", e.message}});
  }
  return out;
}

}  // namespace mlw::queue::sqs
