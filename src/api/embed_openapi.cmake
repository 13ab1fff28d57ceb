# Writes OUT, a C++ source defining mlw::api::OpenApiDocument() with the contents of IN, so the
# binary serves the same document as docs/openapi.yaml without reading files at run time.
file(READ ${IN} content)
string(FIND "${content}" ")mlw_openapi\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "openapi.yaml contains the raw-string delimiter")
endif()
file(WRITE ${OUT} "// Generated from docs/openapi.yaml by embed_openapi.cmake. Do not edit.\n"
  "#include \"api/openapi_document.h\"\n"
  "namespace mlw::api {\n"
  "std::string_view OpenApiDocument() {\n"
  "  static const char kDoc[] = R\"mlw_openapi(${content})mlw_openapi\";\n"
  "  return std::string_view(kDoc, sizeof(kDoc) - 1);\n"
  "}\n"
  "}  // namespace mlw::api\n")
