#include "core/log.h"

#include <date/date.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>

namespace mlw::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mu;
std::ostream* g_sink = nullptr;  // guarded by g_mu; nullptr means std::cerr

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

bool ParseLevel(std::string_view text, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void SetLevel(Level level) { g_level.store(level); }

void SetSink(std::ostream* sink) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_sink = sink;
}

void Write(Level level, std::string_view event, const nlohmann::json& fields) {
  if (level < g_level.load()) return;
  nlohmann::json line = nlohmann::json::object();
  auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  line["ts"] = date::format("%FT%TZ", now);
  line["level"] = LevelName(level);
  line["event"] = event;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard<std::mutex> lock(g_mu);
  std::ostream& out = g_sink ? *g_sink : std::cerr;
  out << text;
  out.flush();
}

}  // namespace mlw::log
