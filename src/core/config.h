// Layered configuration: command-line flags > environment > TOML file > defaults (DESIGN.md
// "Configuration"). Every key is declared once in a ConfigSpec with its environment name, TOML
// path, default and the values it accepts, so a bad value fails at start naming the key, the value,
// where it came from and what would be right. Only the CLI builds a Config; deeper layers receive
// typed options structs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace mlw {

enum class ConfigType { kString, kInt, kBool, kEnum };

struct ConfigKey {
  std::string name;  // canonical dotted name, also the TOML path: "worker.batch_size"
  std::string env;   // environment variable, empty if none: "ML_WORKER_BATCH_SIZE"
  ConfigType type = ConfigType::kString;
  std::string default_value;
  int64_t min = 0, max = 0;          // kInt bounds, inclusive
  std::vector<std::string> choices;  // kEnum accepted values
  std::string help;
};

// Where the effective value of a key came from, for error messages and `config check`.
enum class ConfigOrigin { kDefault, kFile, kEnvironment, kFlag };
const char* ConfigOriginName(ConfigOrigin origin);

class Config {
 public:
  // Builds the effective configuration. `toml_path` may be empty (no file). `env` is the process
  // environment as a map (the CLI passes the real one; tests pass their own). `flags` holds values
  // given on the command line by canonical key name. Every problem is reported, one per line, in
  // the returned InvalidArgument status: unknown keys in the file, unparsable values, out of range.
  static Result<Config> Load(const std::vector<ConfigKey>& spec, const std::string& toml_path,
                             const std::map<std::string, std::string>& env,
                             const std::map<std::string, std::string>& flags);

  // REQUIRES: `key` is declared in the spec with the matching type.
  const std::string& GetString(const std::string& key) const;
  int64_t GetInt(const std::string& key) const;
  bool GetBool(const std::string& key) const;
  ConfigOrigin Origin(const std::string& key) const;
  // Every key with its value and origin, for `mlworker config check`.
  std::vector<std::pair<std::string, std::string>> Describe() const;

 private:
  struct Entry {
    ConfigKey key;
    std::string value;
    ConfigOrigin origin = ConfigOrigin::kDefault;
  };
  const Entry& Find(const std::string& key) const;
  std::map<std::string, Entry> entries_;
};

// The process environment as a map (only at the CLI edge).
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace mlw
