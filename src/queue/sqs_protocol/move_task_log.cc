#include "queue/sqs_protocol/move_task_log.h"

namespace mlw::queue::sqs {

void MoveTaskLog::Record(Task task) {
  std::lock_guard<std::mutex> lock(mu_);
  std::deque<Task>& tasks = by_source_[task.source_arn];
  tasks.push_front(std::move(task));
  if (tasks.size() > kMaxPerSource) tasks.pop_back();
}

nlohmann::json MoveTaskLog::List(const std::string& source_arn, size_t max_results) const {
  nlohmann::json results = nlohmann::json::array();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_source_.find(source_arn);
  if (it == by_source_.end()) return results;
  for (const Task& t : it->second) {
    if (results.size() >= max_results) break;
    // TaskHandle is only listed for RUNNING tasks (AWS API reference); these are all done.
    nlohmann::json entry = {{"Status", "COMPLETED"},
                            {"SourceArn", t.source_arn},
                            {"ApproximateNumberOfMessagesMoved", t.moved},
                            {"ApproximateNumberOfMessagesToMove", t.moved},
                            {"StartedTimestamp", t.started_ms}};
    if (!t.destination_arn.empty()) entry["DestinationArn"] = t.destination_arn;
    if (t.max_per_second) entry["MaxNumberOfMessagesPerSecond"] = *t.max_per_second;
    results.push_back(std::move(entry));
  }
  return results;
}

}  // namespace mlw::queue::sqs
