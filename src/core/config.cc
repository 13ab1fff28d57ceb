#include "core/config.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace mlw {
namespace {

bool ParseBool(const std::string& v, bool* out) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return *out = true, true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return *out = false, true;
  return false;
}

bool ParseInt(const std::string& v, int64_t* out) {
  if (v.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (errno != 0 || end != v.c_str() + v.size()) return false;
  *out = n;
  return true;
}

std::string Expected(const ConfigKey& k) {
  switch (k.type) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kBool:
      return "true or false";
    case ConfigType::kInt:
      return "an integer from " + std::to_string(k.min) + " to " + std::to_string(k.max);
    case ConfigType::kEnum: {
      std::string s = "one of ";
      for (size_t i = 0; i < k.choices.size(); ++i) s += (i ? ", " : "") + k.choices[i];
      return s;
    }
  }
  return "a value";
}

// Empty when valid, else the reason.
std::string Validate(const ConfigKey& k, const std::string& v) {
  switch (k.type) {
    case ConfigType::kString:
      return "";
    case ConfigType::kBool: {
      bool b;
      return ParseBool(v, &b) ? "" : "expected " + Expected(k);
    }
    case ConfigType::kInt: {
      int64_t n;
      if (!ParseInt(v, &n) || n < k.min || n > k.max) return "expected " + Expected(k);
      return "";
    }
    case ConfigType::kEnum:
      for (const auto& c : k.choices)
        if (c == v) return "";
      return "expected " + Expected(k);
  }
  return "";
}

std::string Where(const ConfigKey& k, ConfigOrigin origin) {
  switch (origin) {
    case ConfigOrigin::kFlag:
      return "--" + k.name;
    case ConfigOrigin::kEnvironment:
      return k.env;
    case ConfigOrigin::kFile:
      return k.name + " (config file)";
    case ConfigOrigin::kDefault:
      return k.name + " (default)";
  }
  return k.name;
}

// Flattens a TOML table into dotted keys with scalar values as text.
void Flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string>* out, std::vector<std::string>* errors) {
  for (const auto& [k, node] : table) {
    std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      Flatten(*sub, name, out, errors);
    } else if (const auto* s = node.as_string()) {
      (*out)[name] = s->get();
    } else if (const auto* i = node.as_integer()) {
      (*out)[name] = std::to_string(i->get());
    } else if (const auto* b = node.as_boolean()) {
      (*out)[name] = b->get() ? "true" : "false";
    } else {
      errors->push_back(name + ": only strings, integers and booleans are accepted");
    }
  }
}

}  // namespace

const char* ConfigOriginName(ConfigOrigin origin) {
  switch (origin) {
    case ConfigOrigin::kDefault:
      return "default";
    case ConfigOrigin::kFile:
      return "file";
    case ConfigOrigin::kEnvironment:
      return "environment";
    case ConfigOrigin::kFlag:
      return "flag";
  }
  return "default";
}

Result<Config> Config::Load(const std::vector<ConfigKey>& spec, const std::string& toml_path,
                            const std::map<std::string, std::string>& env,
                            const std::map<std::string, std::string>& flags) {
  std::vector<std::string> errors;
  std::map<std::string, std::string> file_values;
  if (!toml_path.empty()) {
    try {
      toml::table table = toml::parse_file(toml_path);
      Flatten(table, "", &file_values, &errors);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      return InvalidArgument("config file " + toml_path + ":" + std::to_string(where.line) + ":" +
                             std::to_string(where.column) + ": " + std::string(e.description()));
    }
  }
  Config config;
  for (const ConfigKey& k : spec) {
    Entry e{k, k.default_value, ConfigOrigin::kDefault};
    if (auto it = file_values.find(k.name); it != file_values.end()) {
      e.value = it->second;
      e.origin = ConfigOrigin::kFile;
      file_values.erase(it);
    }
    if (!k.env.empty()) {
      if (auto it = env.find(k.env); it != env.end() && !it->second.empty()) {
        e.value = it->second;
        e.origin = ConfigOrigin::kEnvironment;
      }
    }
    if (auto it = flags.find(k.name); it != flags.end()) {
      e.value = it->second;
      e.origin = ConfigOrigin::kFlag;
    }
    if (std::string why = Validate(k, e.value); !why.empty()) {
      errors.push_back(Where(k, e.origin) + "=\"" + e.value + "\": " + why);
    }
    config.entries_[k.name] = std::move(e);
  }
  for (const auto& [name, value] : file_values) {
    errors.push_back(name + " (config file): unknown key; see `mlworker config check --help`");
  }
  for (const auto& [name, value] : flags) {
    if (!config.entries_.count(name)) errors.push_back("--" + name + ": unknown setting");
  }
  if (!errors.empty()) {
    std::string msg = "invalid configuration:";
    for (const auto& e : errors) msg += "\n  " + e;
    return InvalidArgument(msg);
  }
  return config;
}

const Config::Entry& Config::Find(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw std::logic_error("config key not declared: " + key);
  return it->second;
}

const std::string& Config::GetString(const std::string& key) const { return Find(key).value; }

int64_t Config::GetInt(const std::string& key) const {
  int64_t n = 0;
  ParseInt(Find(key).value, &n);
  return n;
}

bool Config::GetBool(const std::string& key) const {
  bool b = false;
  ParseBool(Find(key).value, &b);
  return b;
}

ConfigOrigin Config::Origin(const std::string& key) const { return Find(key).origin; }

std::vector<std::pair<std::string, std::string>> Config::Describe() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, e] : entries_) {
    out.emplace_back(name, e.value + "  (" + ConfigOriginName(e.origin) + ")");
  }
  return out;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** p = environ; p && *p; ++p) {
    std::string kv = *p;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace mlw
