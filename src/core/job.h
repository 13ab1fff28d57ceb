// A job is what a queue message asks for: messages are triggers, not data (DESIGN.md "Jobs and
// idempotency"). The worker validates and decodes a message into a Job and dispatches it to the
// handler registered for its job_type; pipelines provide those handlers.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

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

struct Job {
  std::string job_type;  // e.g. "process_pending_vitals"
  int64_t user_id = 0;   // > 0
  JobPriority priority = JobPriority::kNormal;
  nlohmann::json payload;  // the whole message body, for per-type fields
  std::string message_id;  // queue message id: stable across redeliveries
  int receive_count = 1;   // 1 on first delivery
};

// A handler must be idempotent: running it twice for the same trigger, or after a crash half-way,
// leaves the same result as running it once. Returning an error makes the runtime retry later.
using JobHandler = std::function<Status(const Job&)>;

}  // namespace mlw
