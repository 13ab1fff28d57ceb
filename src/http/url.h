// Percent-encoding and application/x-www-form-urlencoded parsing (RFC 3986, WHATWG URL "form").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mlw::http {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes; with `plus_as_space`, '+' becomes ' ' (form encoding). A '%' not followed
// by two hex digits is an error (InvalidArgument).
Result<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// Encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~); with
// `keep_slash`, '/' stays as is (for paths).
std::string PercentEncode(std::string_view text, bool keep_slash = false);

// Parses "a=1&b=x%20y" into pairs in order of appearance. Empty pieces ("a=1&&b=2") are skipped;
// a piece without '=' has an empty value. Fails on bad escapes.
Result<FormParams> ParseForm(std::string_view text);

}  // namespace mlw::http
