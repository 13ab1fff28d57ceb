// Reads a request's JSON body within the API's limits, so that handlers see only well-formed,
// bounded input. Every failure is a Status that api_error.h turns into the documented 4xx.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::api {

struct BodyLimits {
  size_t max_depth = 16;  // nesting of arrays/objects; deeper bodies are rejected
};

// REQUIRES nothing of the request. Errors: 415-style kInvalidArgument with reason
// "UnsupportedMediaType" when Content-Type is not application/json; kInvalidArgument for empty or
// malformed JSON (with the byte offset), a body that is not an object, or one nested deeper than
// max_depth.
Result<nlohmann::json> ParseJsonBody(const http::Request& request, const BodyLimits& limits);

// Fails naming every key of `object` not in `allowed` (details: one {"field","reason"} each).
Status RejectUnknownFields(const nlohmann::json& object, const std::vector<std::string>& allowed,
                           const std::string& where, nlohmann::json* details);

}  // namespace mlw::api
