#include "queue/message_md5.h"

#include <openssl/evp.h>

#include <cstdint>

namespace mlw::queue {
namespace {

void AppendLengthPrefixed(std::string* out, std::string_view bytes) {
  uint32_t n = static_cast<uint32_t>(bytes.size());
  out->push_back(static_cast<char>((n >> 24) & 0xff));
  out->push_back(static_cast<char>((n >> 16) & 0xff));
  out->push_back(static_cast<char>((n >> 8) & 0xff));
  out->push_back(static_cast<char>(n & 0xff));
  out->append(bytes);
}

bool IsBinaryType(const std::string& data_type) { return data_type.rfind("Binary", 0) == 0; }

}  // namespace

std::string Md5Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string Md5OfAttributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return "";
  std::string encoded;
  for (const auto& [name, attr] : attributes) {  // std::map iterates in name order, as required
    AppendLengthPrefixed(&encoded, name);
    AppendLengthPrefixed(&encoded, attr.data_type);
    if (IsBinaryType(attr.data_type)) {
      encoded.push_back(2);
      AppendLengthPrefixed(&encoded, attr.binary_value);
    } else {
      encoded.push_back(1);
      AppendLengthPrefixed(&encoded, attr.string_value);
    }
  }
  return Md5Hex(encoded);
}

}  // namespace mlw::queue
