// Messages and message attributes on the wire (JSON-protocol shape; the query protocol is mapped
// onto it by query_decoder.h and xml_encoder.h). Binary attribute values are base64 on the wire.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "queue/queue.h"

namespace mlw::queue::sqs {

// Decodes {"name":{"DataType":"String","StringValue":"x"}, …}. `where` names the parameter in
// errors ("MessageAttributes", "Entries.2.MessageAttributes"). Type prefixes String, Number and
// Binary; list values are not supported (InvalidParameterValue).
Result<MessageAttributes> DecodeMessageAttributes(const nlohmann::json& attributes,
                                                  const std::string& where);
nlohmann::json EncodeMessageAttributes(const MessageAttributes& attributes);

// The attributes selected by ReceiveMessage's MessageAttributeNames: "All" or ".*" select every
// one, "prefix.*" those whose name starts with "prefix.", other entries exact names.
MessageAttributes SelectMessageAttributes(const MessageAttributes& attributes,
                                          const std::vector<std::string>& names);

// Validates ReceiveMessage's AttributeNames / MessageSystemAttributeNames and returns the system
// attribute names to return ("All" expands). Unknown names fail with InvalidAttributeName.
Result<std::set<std::string>> SelectSystemAttributes(const std::vector<std::string>& names);

// One received message: MessageId, ReceiptHandle, MD5OfBody, Body, the selected Attributes and
// MessageAttributes, and MD5OfMessageAttributes computed over the returned attributes (what the
// SDKs verify).
nlohmann::json EncodeMessage(const Message& message, const std::set<std::string>& system_attributes,
                             const std::vector<std::string>& attribute_names);

}  // namespace mlw::queue::sqs
