#include "cli/listen_address.h"

#include <cstdlib>

namespace mlw::cli {

bool ParseListenAddress(const std::string& flag, const std::string& text, std::string* host,
                        uint16_t* port, std::string* error) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    *error = flag + " must be HOST:PORT (e.g. 127.0.0.1:8080), got '" + text + "'";
    return false;
  }
  std::string p = text.substr(colon + 1);
  char* end = nullptr;
  long value = std::strtol(p.c_str(), &end, 10);
  if (p.empty() || *end != '\0' || value < 0 || value > 65535) {
    *error = flag + " port must be 0..65535, got '" + p + "'";
    return false;
  }
  *host = text.substr(0, colon);
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace mlw::cli
