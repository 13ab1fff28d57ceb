// The stored form of message attributes in the SQLite backend's `messages.attributes` column:
// per attribute, four length-prefixed fields (name, data type, string value, binary value), each
// prefix a 4-byte big-endian length. An empty blob means no attributes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "queue/queue.h"

namespace mlw::queue {

std::string EncodeAttributes(const MessageAttributes& attributes);
// nullopt when `blob` is not something EncodeAttributes produced (a corrupt row).
std::optional<MessageAttributes> DecodeAttributes(std::string_view blob);

}  // namespace mlw::queue
