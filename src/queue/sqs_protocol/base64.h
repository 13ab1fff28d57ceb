// Standard base64 (RFC 4648 §4, with padding): binary message attributes travel this way in both
// SQS protocols.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace mlw::queue::sqs {

std::string Base64Encode(std::string_view bytes);
// Strict: the standard alphabet, length a multiple of 4, padding only at the end. Fails with
// InvalidArgument otherwise.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace mlw::queue::sqs
