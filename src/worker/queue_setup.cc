#include "worker/queue_setup.h"

#include <nlohmann/json.hpp>

#include "core/log.h"

namespace mlw::worker {
namespace {

constexpr int kDeadLetterRetentionSeconds = 14 * 24 * 60 * 60;

Status Named(const std::string& queue, const Status& s) {
  return Status(s.code(), "queue '" + queue + "': " + s.message(), s.reason());
}

// Creates the queue; an existing queue (same or other attributes) is fine.
Status CreateIfMissing(queue::QueueService& service, const std::string& name,
                       const queue::QueueAttributes& attributes) {
  Status s = service.CreateQueue(name, attributes);
  if (s.ok() || s.reason() == "QueueAlreadyExists") return Status::Ok();
  return Named(name, s);
}

// Parses {"deadLetterTargetArn":"arn:…:name","maxReceiveCount":"3"} (count as string or number).
bool ParseRedrive(const std::string& text, std::string* dlq, int* max_receive_count) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return false;
  auto arn = doc.find("deadLetterTargetArn");
  auto count = doc.find("maxReceiveCount");
  if (arn == doc.end() || !arn->is_string() || count == doc.end()) return false;
  std::string a = arn->get<std::string>();
  *dlq = a.substr(a.rfind(':') + 1);
  if (count->is_number_integer()) {
    *max_receive_count = count->get<int>();
  } else if (count->is_string()) {
    try {
      *max_receive_count = std::stoi(count->get<std::string>());
    } catch (...) {
      return false;
    }
  } else {
    return false;
  }
  return !dlq->empty() && *max_receive_count > 0;
}

}  // namespace

Result<QueueSetup> EnsureQueues(queue::QueueService& service, const QueueSetupOptions& options) {
  const std::string visibility = std::to_string(options.visibility_timeout_seconds);
  if (options.create_if_missing) {
    MLW_RETURN_IF_ERROR(
        CreateIfMissing(service, options.dead_letter_queue_name,
                        {{"VisibilityTimeout", visibility},
                         {"MessageRetentionPeriod", std::to_string(kDeadLetterRetentionSeconds)}}));
  }
  auto dlq_attrs = service.GetQueueAttributes(options.dead_letter_queue_name, {"QueueArn"});
  if (!dlq_attrs.ok()) return Named(options.dead_letter_queue_name, dlq_attrs.status());
  const std::string dlq_arn = (*dlq_attrs)["QueueArn"];

  if (options.create_if_missing) {
    nlohmann::json redrive = {{"deadLetterTargetArn", dlq_arn},
                              {"maxReceiveCount", std::to_string(options.max_receive_count)}};
    MLW_RETURN_IF_ERROR(
        CreateIfMissing(service, options.queue_name,
                        {{"VisibilityTimeout", visibility}, {"RedrivePolicy", redrive.dump()}}));
  }
  // Not "All": on the embedded queue the message counters would read the whole queue.
  auto attrs = service.GetQueueAttributes(options.queue_name, {"RedrivePolicy"});
  if (!attrs.ok()) return Named(options.queue_name, attrs.status());

  QueueSetup setup;
  setup.queue = options.queue_name;
  setup.dead_letter_queue = options.dead_letter_queue_name;
  auto redrive = attrs->find("RedrivePolicy");
  std::string target;
  int max_receives = 0;
  if (redrive != attrs->end() && !redrive->second.empty() &&
      ParseRedrive(redrive->second, &target, &max_receives)) {
    setup.max_receive_count = max_receives;
    if (target != options.dead_letter_queue_name) {
      log::Warn("worker_dead_letter_queue_mismatch",
                {{"queue", setup.queue},
                 {"configured", options.dead_letter_queue_name},
                 {"redrive_target", target}});
      setup.dead_letter_queue = target;
    }
  } else {
    log::Warn("worker_queue_without_redrive_policy",
              {{"queue", setup.queue},
               {"effect", "failing messages are retried until the retention period ends"}});
  }
  return setup;
}

}  // namespace mlw::worker
