// Bearer tokens for the HTTP API. Tokens are 256-bit random values shown once; only their SHA-256
// digest is stored, so a leaked database does not leak working tokens.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace mlw::api {

// A new token: "mlw_" followed by 64 hex characters from the OS CSPRNG.
std::string GenerateToken();
// Lower-case hex SHA-256 of the token text, the form tokens are stored and looked up in.
std::string HashToken(std::string_view token);
// Compares two strings in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Returns the admin token kept in `path`, creating the file with a new token (mode 0600, parent
// directory created) when it does not exist. `created` tells the caller to print it once.
// Fails when the file exists but is empty or readable by group/others.
Result<std::string> LoadOrCreateAdminToken(const std::string& path, bool* created);

}  // namespace mlw::api
