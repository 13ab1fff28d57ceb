// Recent message move tasks per dead-letter queue, for ListMessageMoveTasks. The endpoint's
// StartMessageMoveTask completes within the call, so every recorded task is COMPLETED; keeping
// them lets SQS clients that start a task and then poll ListMessageMoveTasks (the AWS SDKs'
// pattern, and mlworker's own remote backend) see its outcome. In memory: a restart forgets them,
// as it would forget nothing a client still polls for.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace mlw::queue::sqs {

class MoveTaskLog {
 public:
  // AWS lists at most this many tasks per source queue, most recent first.
  static constexpr size_t kMaxPerSource = 10;

  struct Task {
    std::string source_arn;
    std::string destination_arn;  // empty: back to each message's source queue
    std::optional<int64_t> max_per_second;
    int64_t moved = 0;
    int64_t started_ms = 0;  // Unix epoch milliseconds
  };

  void Record(Task task);

  // Up to `max_results` (1..10) tasks of `source_arn`, most recent first, as the JSON protocol's
  // ListMessageMoveTasksResultEntry objects.
  nlohmann::json List(const std::string& source_arn, size_t max_results) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Task>> by_source_;  // GUARDED_BY(mu_); newest at the front
};

}  // namespace mlw::queue::sqs
