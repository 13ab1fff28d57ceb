#include "queue/sqs_protocol/message_codec.h"

#include "queue/message_md5.h"
#include "queue/sqs_protocol/base64.h"
#include "queue/sqs_protocol/errors.h"
#include "queue/sqs_protocol/params.h"
#include "queue/sqs_protocol/queue_url.h"

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string BaseType(const std::string& data_type) {
  return data_type.substr(0, data_type.find('.'));
}

const std::vector<std::string>& KnownSystemAttributes() {
  static const auto* names = new std::vector<std::string>{
      "ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"};
  return *names;
}

}  // namespace

Result<MessageAttributes> DecodeMessageAttributes(const json& attributes,
                                                  const std::string& where) {
  MessageAttributes out;
  if (!attributes.is_object()) return InvalidParameter(where, attributes.dump(), "must be a map.");
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    const std::string& name = it.key();
    const json& value = it.value();
    if (!value.is_object()) {
      return InvalidParameter(where + "." + name, value.dump(), "must be a structure.");
    }
    Params p(value);
    MLW_ASSIGN_OR_RETURN(std::optional<std::string> data_type, p.OptionalString("DataType"));
    if (!data_type || data_type->empty()) {
      return SqsError(
          "InvalidParameterValue",
          "The message attribute '" + name + "' must contain non-empty message attribute type.");
    }
    if (p.Find("StringListValues") || p.Find("BinaryListValues")) {
      return SqsError(
          "InvalidParameterValue",
          "Message attribute list values are not supported (attribute '" + name + "').");
    }
    MessageAttribute attribute;
    attribute.data_type = *data_type;
    std::string base = BaseType(*data_type);
    MLW_ASSIGN_OR_RETURN(std::optional<std::string> string_value, p.OptionalString("StringValue"));
    MLW_ASSIGN_OR_RETURN(std::optional<std::string> binary_value, p.OptionalString("BinaryValue"));
    if (base == "String" || base == "Number") {
      if (!string_value || binary_value) {
        return SqsError("InvalidParameterValue", "The message attribute '" + name +
                                                     "' with type '" + base +
                                                     "' must use field 'String'.");
      }
      attribute.string_value = *string_value;
    } else if (base == "Binary") {
      if (!binary_value || string_value) {
        return SqsError(
            "InvalidParameterValue",
            "The message attribute '" + name + "' with type 'Binary' must use field 'Binary'.");
      }
      Result<std::string> bytes = Base64Decode(*binary_value);
      if (!bytes.ok()) {
        return InvalidParameter(where + "." + name + ".BinaryValue", "(binary)",
                                "not valid base64.");
      }
      attribute.binary_value = std::move(bytes).value();
    } else {
      return SqsError("InvalidParameterValue",
                      "The type of message (user) attribute '" + name +
                          "' is invalid. You must use only the following supported type prefixes: "
                          "Binary, Number, String.");
    }
    out[name] = std::move(attribute);
  }
  return out;
}

json EncodeMessageAttributes(const MessageAttributes& attributes) {
  json out = json::object();
  for (const auto& [name, attribute] : attributes) {
    json value = {{"DataType", attribute.data_type}};
    if (BaseType(attribute.data_type) == "Binary") {
      value["BinaryValue"] = Base64Encode(attribute.binary_value);
    } else {
      value["StringValue"] = attribute.string_value;
    }
    out[name] = std::move(value);
  }
  return out;
}

MessageAttributes SelectMessageAttributes(const MessageAttributes& attributes,
                                          const std::vector<std::string>& names) {
  MessageAttributes out;
  for (const auto& [name, attribute] : attributes) {
    for (const std::string& want : names) {
      bool match = want == "All" || want == ".*" || want == name;
      if (!match && want.size() > 2 && want.compare(want.size() - 2, 2, ".*") == 0) {
        match = StartsWith(name, want.substr(0, want.size() - 1));
      }
      if (match) {
        out[name] = attribute;
        break;
      }
    }
  }
  return out;
}

Result<std::set<std::string>> SelectSystemAttributes(const std::vector<std::string>& names) {
  std::set<std::string> out;
  for (const std::string& name : names) {
    if (name == "All") {
      out.insert(KnownSystemAttributes().begin(), KnownSystemAttributes().end());
      continue;
    }
    bool known = false;
    for (const std::string& k : KnownSystemAttributes()) known = known || k == name;
    // Attributes of FIFO queues, tracing and redrive are valid names this endpoint never sets.
    bool valid_unset = name == "MessageDeduplicationId" || name == "MessageGroupId" ||
                       name == "SequenceNumber" || name == "AWSTraceHeader" ||
                       name == "DeadLetterQueueSourceArn" || name == "SqsManagedSseEnabled";
    if (!known && !valid_unset) {
      return SqsError("InvalidAttributeName", "Unknown Attribute " + name + ".");
    }
    if (known) out.insert(name);
  }
  return out;
}

json EncodeMessage(const Message& message, const std::set<std::string>& system_attributes,
                   const std::vector<std::string>& attribute_names) {
  json out = {
      {"MessageId", message.message_id},
      {"ReceiptHandle", message.receipt_handle},
      {"MD5OfBody", message.md5_of_body.empty() ? Md5Hex(message.body) : message.md5_of_body},
      {"Body", message.body}};
  if (!system_attributes.empty()) {
    json attrs = json::object();
    for (const std::string& name : system_attributes) {
      if (name == "SenderId") attrs[name] = kAccountId;
      if (name == "SentTimestamp") attrs[name] = std::to_string(message.sent_timestamp_ms);
      if (name == "ApproximateReceiveCount") attrs[name] = std::to_string(message.receive_count);
      if (name == "ApproximateFirstReceiveTimestamp") {
        attrs[name] = std::to_string(message.first_receive_timestamp_ms);
      }
    }
    out["Attributes"] = std::move(attrs);
  }
  MessageAttributes selected = SelectMessageAttributes(message.attributes, attribute_names);
  if (!selected.empty()) {
    out["MD5OfMessageAttributes"] = Md5OfAttributes(selected);
    out["MessageAttributes"] = EncodeMessageAttributes(selected);
  }
  return out;
}

}  // namespace mlw::queue::sqs
