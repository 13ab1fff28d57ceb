// Renders query-protocol (XML) responses from an action's output in the JSON protocol's shape,
// following the SQS service model's flattened lists and maps, e.g.
//   {"Messages":[{"MessageId":"…","Attributes":{"SentTimestamp":"1"}}]} →
//   <ReceiveMessageResponse
//   xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>
//   <Message><MessageId>…</MessageId><Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>
//   </Message></ReceiveMessageResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
//   </ReceiveMessageResponse>
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "queue/sqs_protocol/errors.h"

namespace mlw::queue::sqs {

inline constexpr char kXmlNamespace[] = "http://queue.amazonaws.com/doc/2012-11-05/";

// Escapes text for XML character data and attribute values; characters XML 1.0 cannot carry
// (C0 controls other than tab, newline, carriage return) become U+FFFD.
std::string XmlEscape(std::string_view text);

std::string RenderXmlResponse(const std::string& action, const nlohmann::json& output,
                              const std::string& request_id);
std::string RenderXmlError(const ErrorSpelling& error, const std::string& message,
                           const std::string& request_id);

}  // namespace mlw::queue::sqs
