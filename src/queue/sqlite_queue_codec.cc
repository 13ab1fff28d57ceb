#include "queue/sqlite_queue_codec.h"

#include <cstdint>

namespace mlw::queue {
namespace {

void PutField(std::string* out, std::string_view field) {
  uint32_t n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  out->append(field);
}

bool GetField(std::string_view* in, std::string* field) {
  if (in->size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  if (in->size() < n) return false;
  field->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

}  // namespace

std::string EncodeAttributes(const MessageAttributes& attributes) {
  std::string out;
  for (const auto& [name, attr] : attributes) {
    PutField(&out, name);
    PutField(&out, attr.data_type);
    PutField(&out, attr.string_value);
    PutField(&out, attr.binary_value);
  }
  return out;
}

std::optional<MessageAttributes> DecodeAttributes(std::string_view blob) {
  MessageAttributes out;
  while (!blob.empty()) {
    std::string name;
    MessageAttribute attr;
    if (!GetField(&blob, &name) || !GetField(&blob, &attr.data_type) ||
        !GetField(&blob, &attr.string_value) || !GetField(&blob, &attr.binary_value)) {
      return std::nullopt;
    }
    out.emplace(std::move(name), std::move(attr));
  }
  return out;
}

}  // namespace mlw::queue
