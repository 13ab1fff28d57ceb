#include "queue/sqs_protocol/wire.h"

#include "http/url.h"
#include "queue/sqs_protocol/errors.h"
#include "queue/sqs_protocol/query_decoder.h"
#include "queue/sqs_protocol/xml_encoder.h"

namespace mlw::queue::sqs {
namespace {

constexpr char kJsonContentType[] = "application/x-amz-json-1.0";
constexpr char kTargetPrefix[] = "AmazonSQS.";

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

Result<WireRequest> DecodeJson(const http::Request& request) {
  WireRequest out;
  std::string_view target = request.Header("X-Amz-Target");
  if (target.substr(0, sizeof(kTargetPrefix) - 1) != kTargetPrefix ||
      target.size() == sizeof(kTargetPrefix) - 1) {
    return SqsError("InvalidAction",
                    "The X-Amz-Target header must name an action as AmazonSQS.<Action>.");
  }
  out.action = std::string(target.substr(sizeof(kTargetPrefix) - 1));
  if (request.body.empty()) return out;
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded())
    return SqsError("SerializationException", "The request body is not valid JSON.");
  if (!body.is_object()) {
    return SqsError("SerializationException", "The request body must be a JSON object.");
  }
  out.input = std::move(body);
  return out;
}

Result<WireRequest> DecodeQuery(const http::Request& request) {
  http::FormParams params;
  auto add = [&params](std::string_view text) -> Status {
    Result<http::FormParams> parsed = http::ParseForm(text);
    if (!parsed.ok()) {
      return SqsError("MalformedQueryString",
                      "The query string is malformed: " + parsed.status().message());
    }
    params.insert(params.end(), parsed->begin(), parsed->end());
    return Status::Ok();
  };
  MLW_RETURN_IF_ERROR(add(request.query));
  std::string_view content_type = request.Header("Content-Type");
  if (request.method == "POST" && !request.body.empty()) {
    if (!content_type.empty() &&
        !StartsWithIgnoreCase(content_type, "application/x-www-form-urlencoded")) {
      return SqsError(
          "MalformedQueryString",
          "A query-protocol POST must have Content-Type application/x-www-form-urlencoded.");
    }
    MLW_RETURN_IF_ERROR(add(request.body));
  }
  MLW_ASSIGN_OR_RETURN(QueryInput decoded, DecodeQueryParams(params));
  if (decoded.action.empty()) {
    return SqsError("InvalidAction", "The request must contain the parameter Action.");
  }
  return WireRequest{std::move(decoded.action), std::move(decoded.input)};
}

}  // namespace

Protocol DetectProtocol(const http::Request& request) {
  if (!request.Header("X-Amz-Target").empty()) return Protocol::kJson;
  if (StartsWithIgnoreCase(request.Header("Content-Type"), "application/x-amz-json")) {
    return Protocol::kJson;
  }
  return Protocol::kQuery;
}

Result<WireRequest> DecodeRequest(const http::Request& request, Protocol protocol) {
  return protocol == Protocol::kJson ? DecodeJson(request) : DecodeQuery(request);
}

http::Response RenderSuccess(Protocol protocol, const std::string& action,
                             const nlohmann::json& output, const std::string& request_id) {
  http::Response r;
  r.status = 200;
  if (protocol == Protocol::kJson) {
    r.SetHeader("Content-Type", kJsonContentType);
    r.body = output.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    r.SetHeader("Content-Type", "text/xml");
    r.body = RenderXmlResponse(action, output, request_id);
  }
  r.SetHeader("x-amzn-RequestId", request_id);
  return r;
}

http::Response RenderError(Protocol protocol, const Status& status, const std::string& request_id) {
  ErrorSpelling spelling = SpellError(status);
  http::Response r;
  r.status = spelling.http_status;
  r.SetHeader("x-amzn-RequestId", request_id);
  if (protocol == Protocol::kJson) {
    r.SetHeader("Content-Type", kJsonContentType);
    r.SetHeader("x-amzn-query-error",
                spelling.query_code + (spelling.sender_fault ? ";Sender" : ";Receiver"));
    nlohmann::json body = {{"__type", spelling.json_type}, {"message", status.message()}};
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    r.SetHeader("Content-Type", "text/xml");
    r.body = RenderXmlError(spelling, status.message(), request_id);
  }
  return r;
}

}  // namespace mlw::queue::sqs
