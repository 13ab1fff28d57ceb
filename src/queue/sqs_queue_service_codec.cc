#include "queue/sqs_queue_service_codec.h"

#include <map>

#include "queue/message_md5.h"
#include "queue/sqs_client.h"

namespace mlw::queue {
namespace {

using nlohmann::json;

std::string Str(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key)) return "";
  const json& v = o[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

int64_t Int(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key)) return 0;
  const json& v = o[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

const json& Array(const json& o, const char* key) {
  static const json kEmpty = json::array();
  if (!o.is_object() || !o.contains(key) || !o[key].is_array()) return kEmpty;
  return o[key];
}

bool IsBinary(const std::string& data_type) { return data_type.rfind("Binary", 0) == 0; }

BatchError DecodeBatchError(const json& f) {
  bool sender = !f.contains("SenderFault") || !f["SenderFault"].is_boolean() ||
                f["SenderFault"].get<bool>();
  return BatchError{Str(f, "Id"), Str(f, "Code"), Str(f, "Message"), sender};
}

}  // namespace

std::vector<std::string> StringArray(const json& object, const char* key) {
  std::vector<std::string> out;
  for (const json& v : Array(object, key)) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

json EncodeMessageAttributes(const MessageAttributes& attributes) {
  json out = json::object();
  for (const auto& [name, attr] : attributes) {
    json a = {{"DataType", attr.data_type}};
    if (IsBinary(attr.data_type)) {
      a["BinaryValue"] = Base64Encode(attr.binary_value);
    } else {
      a["StringValue"] = attr.string_value;
    }
    out[name] = std::move(a);
  }
  return out;
}

Result<MessageAttributes> DecodeMessageAttributes(const json& object) {
  MessageAttributes out;
  if (!object.is_object()) return out;
  for (const auto& [name, a] : object.items()) {
    MessageAttribute attr;
    attr.data_type = Str(a, "DataType");
    if (IsBinary(attr.data_type)) {
      std::optional<std::string> bytes = Base64Decode(Str(a, "BinaryValue"));
      if (!bytes) {
        return Internal("message attribute " + name + " has a BinaryValue that is not base64",
                        "InvalidResponse");
      }
      attr.binary_value = std::move(*bytes);
    } else {
      attr.string_value = Str(a, "StringValue");
    }
    out[name] = std::move(attr);
  }
  return out;
}

json EncodeSendEntries(const std::vector<SendEntry>& entries, bool fifo) {
  json list = json::array();
  for (const SendEntry& e : entries) {
    json entry = {{"Id", e.id}, {"MessageBody", e.body}};
    if (e.delay_seconds) entry["DelaySeconds"] = *e.delay_seconds;
    if (!e.attributes.empty()) entry["MessageAttributes"] = EncodeMessageAttributes(e.attributes);
    if (fifo) {
      entry["MessageGroupId"] = "mlworker";
      if (!e.deduplication_id.empty()) entry["MessageDeduplicationId"] = e.deduplication_id;
    }
    list.push_back(std::move(entry));
  }
  return list;
}

Result<BatchOutcome<SendResult>> DecodeSendOutcome(const json& response,
                                                   const std::vector<SendEntry>& entries) {
  std::map<std::string, const SendEntry*> by_id;
  for (const SendEntry& e : entries) by_id[e.id] = &e;
  BatchOutcome<SendResult> out;
  for (const json& s : Array(response, "Successful")) {
    SendResult r{Str(s, "Id"), Str(s, "MessageId"), Str(s, "MD5OfMessageBody"),
                 Str(s, "MD5OfMessageAttributes")};
    auto it = by_id.find(r.id);
    if (it == by_id.end()) {
      return Internal("SQS SendMessageBatch answered for unknown entry id '" + r.id + "'",
                      "InvalidResponse");
    }
    const SendEntry& sent = *it->second;
    std::string want_body = Md5Hex(sent.body);
    std::string want_attrs = Md5OfAttributes(sent.attributes);
    if (r.md5_of_body != want_body || (!want_attrs.empty() && r.md5_of_attributes != want_attrs)) {
      out.failed.push_back(BatchError{
          r.id, "MD5Mismatch",
          "SQS acknowledged message " + r.message_id + " with MD5 body=" + r.md5_of_body +
              " attributes=" + r.md5_of_attributes + ", expected body=" + want_body +
              " attributes=" + want_attrs,
          false});
      continue;
    }
    out.successful.push_back(std::move(r));
  }
  for (const json& f : Array(response, "Failed")) out.failed.push_back(DecodeBatchError(f));
  return out;
}

Result<BatchOutcome<std::string>> DecodeIdOutcome(const json& response) {
  BatchOutcome<std::string> out;
  for (const json& s : Array(response, "Successful")) out.successful.push_back(Str(s, "Id"));
  for (const json& f : Array(response, "Failed")) out.failed.push_back(DecodeBatchError(f));
  return out;
}

Result<std::vector<Message>> DecodeMessages(const json& response) {
  std::vector<Message> out;
  for (const json& m : Array(response, "Messages")) {
    Message msg;
    msg.message_id = Str(m, "MessageId");
    msg.receipt_handle = Str(m, "ReceiptHandle");
    msg.body = Str(m, "Body");
    msg.md5_of_body = Str(m, "MD5OfBody");
    msg.md5_of_attributes = Str(m, "MD5OfMessageAttributes");
    if (m.contains("MessageAttributes")) {
      MLW_ASSIGN_OR_RETURN(msg.attributes, DecodeMessageAttributes(m["MessageAttributes"]));
    }
    const json& sys = m.contains("Attributes") ? m["Attributes"] : json::object();
    msg.receive_count = static_cast<int>(Int(sys, "ApproximateReceiveCount"));
    msg.sent_timestamp_ms = Int(sys, "SentTimestamp");
    msg.first_receive_timestamp_ms = Int(sys, "ApproximateFirstReceiveTimestamp");

    std::string body_md5 = Md5Hex(msg.body);
    if (msg.md5_of_body != body_md5) {
      return Internal("received message " + msg.message_id + " has MD5OfBody " + msg.md5_of_body +
                          " but its body hashes to " + body_md5,
                      "MD5Mismatch");
    }
    std::string attrs_md5 = Md5OfAttributes(msg.attributes);
    if (attrs_md5 != msg.md5_of_attributes &&
        !(attrs_md5.empty() && msg.md5_of_attributes.empty())) {
      return Internal("received message " + msg.message_id + " has MD5OfMessageAttributes '" +
                          msg.md5_of_attributes + "' but its attributes hash to '" + attrs_md5 +
                          "'",
                      "MD5Mismatch");
    }
    out.push_back(std::move(msg));
  }
  return out;
}

Result<std::optional<MoveTaskResult>> DecodeMoveTaskStatus(const json& response,
                                                           const std::string& task_handle) {
  const json& results = Array(response, "Results");
  const json* task = nullptr;
  for (const json& r : results) {
    if (!task_handle.empty() && Str(r, "TaskHandle") == task_handle) {
      task = &r;
      break;
    }
  }
  if (task == nullptr && !results.empty()) task = &results[0];  // most recent first
  if (task == nullptr) {
    return Internal("ListMessageMoveTasks shows no task for handle " + task_handle,
                    "InvalidResponse");
  }
  std::string status = Str(*task, "Status");
  if (status == "RUNNING" || status == "CANCELLING") return std::optional<MoveTaskResult>();
  if (status == "COMPLETED") {
    return std::optional<MoveTaskResult>(
        MoveTaskResult{task_handle, Int(*task, "ApproximateNumberOfMessagesMoved")});
  }
  return Status(StatusCode::kInternal,
                "message move task " + task_handle + " ended " + status + ": " +
                    Str(*task, "FailureReason"),
                "MessageMoveTaskFailed");
}

}  // namespace mlw::queue
