// Where tests find the repository, the built mlworker binary and ../shared data. mlw_add_test
// compiles the build's paths in (MLW_TEST_*), and the environment variables of the same names
// without "TEST_" (MLW_SOURCE_DIR, MLW_BINARY, MLW_SHARED_DIR) override them. For tests only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mlw::testenv {

inline std::string FromEnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

#ifndef MLW_TEST_SOURCE_DIR
#define MLW_TEST_SOURCE_DIR ""
#endif
#ifndef MLW_TEST_BINARY
#define MLW_TEST_BINARY ""
#endif
#ifndef MLW_TEST_SHARED_DIR
#define MLW_TEST_SHARED_DIR ""
#endif

inline std::string SourceDir() { return FromEnvOr("MLW_SOURCE_DIR", MLW_TEST_SOURCE_DIR); }
inline std::string Binary() { return FromEnvOr("MLW_BINARY", MLW_TEST_BINARY); }
// The shared data folder when it exists, else "" (tests then GTEST_SKIP).
inline std::string SharedDir() {
  std::string dir = FromEnvOr("MLW_SHARED_DIR", MLW_TEST_SHARED_DIR);
  std::error_code ec;
  return !dir.empty() && std::filesystem::is_directory(dir, ec) ? dir : std::string();
}

}  // namespace mlw::testenv
