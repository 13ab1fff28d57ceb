// A job is what a queue message asks for: messages are triggers, not data (DESIGN.md "Jobs and
// idempotency"). The worker validates and decodes a message into a Job and dispatches it to the
// handler registered for its job_type; pipelines provide those handlers.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace mlw {

enum class JobPriority { kLow, kNormal, kHigh };

// The message field's spelling: "low" | "normal" | "high".
inline const char* PriorityName(JobPriority p) {
  switch (p) {
    case JobPriority::kLow:
      return "low";
    case JobPriority::kNormal:
      return "normal";
    case JobPriority::kHigh:
      return "high";
  }
  return "normal";
}

// The inverse of PriorityName; nullopt for any other spelling.
inline std::optional<JobPriority> ParsePriority(std::string_view name) {
  if (name == "low") return JobPriority::kLow;
  if (name == "normal") return JobPriority::kNormal;
  if (name == "high") return JobPriority::kHigh;
  return std::nullopt;
}

// The whole message body as a JSON document, for per-type fields. Parsed on first use: most
// handlers need only the fields Job decodes, and building the document for every message was a
// fifth of the worker runtime's own work per message.
//
// Thread-safety: const methods may parse and cache, so a JobPayload must not be read from two
// threads at once until json() has been called once (the runtime hands a Job to one handler).
class JobPayload {
 public:
  JobPayload() = default;  // a null document
  // From a parsed document. Implicit, so that `job.payload = {{"user_id", 1}}` keeps working.
  JobPayload(nlohmann::json doc) : doc_(std::move(doc)), parsed_(true) {}  // NOLINT
  // From the body text, parsed by the first json(). REQUIRES: `text` is valid JSON (the worker
  // decoded it already); otherwise json() returns a discarded value.
  static JobPayload FromText(std::string text) {
    JobPayload p;
    p.text_ = std::move(text);
    p.parsed_ = false;
    return p;
  }

  const nlohmann::json& json() const {
    if (!parsed_) {
      doc_ = nlohmann::json::parse(text_, nullptr, /*allow_exceptions=*/false);
      parsed_ = true;
    }
    return doc_;
  }
  // Shorthands for json()'s.
  template <typename T>
  T value(const std::string& key, const T& default_value) const {
    return json().value(key, default_value);
  }
  bool contains(std::string_view key) const { return json().contains(key); }

 private:
  std::string text_;            // until parsed
  mutable nlohmann::json doc_;  // once parsed_
  mutable bool parsed_ = true;
};

struct Job {
  std::string job_type;  // e.g. "process_pending_vitals"
  int64_t user_id = 0;   // > 0
  JobPriority priority = JobPriority::kNormal;
  JobPayload payload;      // the whole message body, for per-type fields
  std::string message_id;  // queue message id: stable across redeliveries
  int receive_count = 1;   // 1 on first delivery
};

// A handler must be idempotent: running it twice for the same trigger, or after a crash half-way,
// leaves the same result as running it once. Returning an error makes the runtime retry later.
using JobHandler = std::function<Status(const Job&)>;

}  // namespace mlw
