// Structured JSON-lines logging: one object per line with `ts`, `level`, `event` and fields.
// Contract: callers never put health values or other personal data in fields — ids and counts only.
// Thread-safe; lines from concurrent threads never interleave.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>

namespace mlw::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };

// Parses "debug" | "info" | "warn" | "error"; returns false for anything else.
bool ParseLevel(std::string_view text, Level* out);
void SetLevel(Level level);
// Redirects output (default std::cerr). The stream must outlive all logging; for tests.
void SetSink(std::ostream* sink);

void Write(Level level, std::string_view event,
           const nlohmann::json& fields = nlohmann::json::object());

inline void Debug(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kDebug, e, f);
}
inline void Info(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kInfo, e, f);
}
inline void Warn(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kWarn, e, f);
}
inline void Error(std::string_view e, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kError, e, f);
}

}  // namespace mlw::log
