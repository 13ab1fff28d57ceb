// The two SQS wire protocols, server side: AWS JSON 1.0 (POST, X-Amz-Target: AmazonSQS.<Action>,
// JSON body and response) and the query protocol (Action=<Action> as form-encoded POST body or GET
// query string, XML response). Decoding produces an action name plus its input in the JSON
// protocol's shape; rendering turns an action's output or error into the protocol's response.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::queue::sqs {

enum class Protocol { kJson, kQuery };

// JSON when the request names an X-Amz-Target or an application/x-amz-json content type.
Protocol DetectProtocol(const http::Request& request);

struct WireRequest {
  std::string action;
  nlohmann::json input = nlohmann::json::object();
};

// Errors: SerializationException (malformed JSON), MalformedQueryString (bad form encoding or
// flattened names), InvalidAction (no action given), MissingParameter.
Result<WireRequest> DecodeRequest(const http::Request& request, Protocol protocol);

http::Response RenderSuccess(Protocol protocol, const std::string& action,
                             const nlohmann::json& output, const std::string& request_id);
// JSON: {"__type":"com.amazonaws.sqs#<Name>","message":…} plus x-amzn-query-error
// "<legacy code>;Sender|Receiver"; query: <ErrorResponse>. Status codes from errors.h.
http::Response RenderError(Protocol protocol, const Status& status, const std::string& request_id);

}  // namespace mlw::queue::sqs
