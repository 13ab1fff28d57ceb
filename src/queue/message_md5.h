// The digests SQS returns with every send and receive, which the SDKs verify: MD5OfMessageBody and
// MD5OfMessageAttributes (AWS "Calculating the MD5 message digest for message attributes").
#pragma once

#include <string>
#include <string_view>

#include "queue/queue.h"

namespace mlw::queue {

// Lower-case hex MD5 of arbitrary bytes.
std::string Md5Hex(std::string_view bytes);
// MD5 of the attributes encoded as SQS specifies; empty string when there are none.
std::string Md5OfAttributes(const MessageAttributes& attributes);

}  // namespace mlw::queue
