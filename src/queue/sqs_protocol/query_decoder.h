// Decodes the query protocol's flattened parameters into the JSON protocol's input shape, so that
// one set of action handlers serves both protocols:
//   Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5      →
//   {"Attributes":{"VisibilityTimeout":"5"}}
//   MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&…Value.StringValue=x
//                                                                →
//                                                                {"MessageAttributes":{"a":{"DataType":"String","StringValue":"x"}}}
//   AttributeName.1=All                                          → {"AttributeNames":["All"]}
//   SendMessageBatchRequestEntry.2.Id=b&…                        → {"Entries":[…,{"Id":"b",…}]}
// The flattened names and their JSON members come from the SQS service model (2012-11-05). Scalars
// stay strings. Signature parameters (X-Amz-*, AWSAccessKeyId, Signature*) and Version are dropped.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "http/url.h"

namespace mlw::queue::sqs {

struct QueryInput {
  std::string action;  // empty when the request has no Action parameter
  nlohmann::json input = nlohmann::json::object();
};

// Fails with MalformedQueryString for contradicting keys or bad list indexes and with
// MissingParameter for a map entry without its key.
Result<QueryInput> DecodeQueryParams(const http::FormParams& params);

}  // namespace mlw::queue::sqs
