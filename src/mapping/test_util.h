// Helpers shared by the mapping tests (not part of mlw_mapping).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/test_env.h"

namespace mlw::mapping::testing {

// The shared data folder (core/test_env.h: ../shared beside the repository, or $MLW_SHARED_DIR),
// else /work/shared, else "" (tests that need it then GTEST_SKIP).
inline std::string SharedDataDir() {
  std::error_code ec;
  if (std::string dir = testenv::SharedDir();
      !dir.empty() && std::filesystem::is_directory(dir + "/data", ec)) {
    return dir + "/data";
  }
  if (std::filesystem::is_directory("/work/shared/data", ec)) return "/work/shared/data";
  return "";
}

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mlw_mapping_XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace mlw::mapping::testing
