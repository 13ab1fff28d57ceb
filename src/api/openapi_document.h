// The OpenAPI document of the HTTP API (docs/openapi.yaml), compiled into the binary.
#pragma once

#include <string_view>

namespace mlw::api {

std::string_view OpenApiDocument();

}  // namespace mlw::api
