// HOST:PORT listen addresses given on the command line.
#pragma once

#include <cstdint>
#include <string>

namespace mlw::cli {

// Splits "host:port" (port 0..65535; 0 picks a free port). On failure fills `error` with a message
// naming `flag` and returns false.
bool ParseListenAddress(const std::string& flag, const std::string& text, std::string* host,
                        uint16_t* port, std::string* error);

}  // namespace mlw::cli
