// Queue URLs and ARNs as this endpoint issues and accepts them:
//   http://<host the client used>/000000000000/<name>   and
//   arn:aws:sqs:<region>:000000000000:<name>
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace mlw::queue::sqs {

inline constexpr char kAccountId[] = "000000000000";

// "http://host:port" from a Host header value; falls back to `fallback_host` when empty.
std::string BaseUrl(std::string_view host_header, std::string_view fallback_host);
std::string QueueUrl(std::string_view base_url, std::string_view queue_name);
// The queue name of a queue URL (any scheme and host; path "/<account>/<name>"), or of a bare
// request path "/<account>/<name>". Fails with InvalidAddress when the URL has another shape.
Result<std::string> QueueNameFromUrl(std::string_view url);
// The queue name of an SQS ARN ("arn:aws:sqs:region:account:name"); fails with
// InvalidParameterValue otherwise.
Result<std::string> QueueNameFromArn(std::string_view arn);

}  // namespace mlw::queue::sqs
