// SQS error names and how each wire protocol spells them. Errors travel as Status values whose
// reason() is the error's name as the JSON protocol models it ("QueueDoesNotExist",
// "InvalidParameterValue", …); queue.h lists the names backends produce. The table here adds the
// legacy query-protocol code (AWS.SimpleQueueService.NonExistentQueue), the HTTP status and the
// fault side, taken from the SQS API reference and the SDK service models (awsQueryCompatible).
#pragma once

#include <string>

#include "core/status.h"

namespace mlw::queue::sqs {

struct ErrorSpelling {
  std::string
      json_type;  // "__type" of the JSON protocol, e.g. "com.amazonaws.sqs#QueueDoesNotExist"
  std::string query_code;  // <Code> of the query protocol and x-amzn-query-error's first part
  int http_status = 400;
  bool sender_fault = true;  // "Sender" or "Receiver"
};

// The spelling of a failed Status. A status without a known reason maps by its code
// (InvalidArgument → InvalidParameterValue, NotFound → QueueDoesNotExist, anything unexpected →
// InternalError with 500).
ErrorSpelling SpellError(const Status& status);

// A Status carrying SQS error `name` (a sender fault unless the name says otherwise).
Status SqsError(const std::string& name, std::string message);

}  // namespace mlw::queue::sqs
