#include "worker/dead_letter.h"

#include <algorithm>

namespace mlw::worker {
namespace {

constexpr size_t kMaxDetailBytes = 1024;

queue::MessageAttribute StringAttr(std::string v) { return {"String", std::move(v), {}}; }

// `ours` plus as many of the message's own attributes (in name order) as the limit allows.
queue::MessageAttributes Merge(const queue::MessageAttributes& original,
                               queue::MessageAttributes ours) {
  for (const auto& [name, value] : original) {
    if (static_cast<int>(ours.size()) >= queue::kMaxMessageAttributes) break;
    ours.emplace(name, value);  // never overrides ours
  }
  return ours;
}

std::string Truncate(const std::string& s) {
  if (s.size() <= kMaxDetailBytes) return s;
  size_t n = kMaxDetailBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // keep UTF-8 whole
  return s.substr(0, n);
}

}  // namespace

std::string LogicalMessageId(const queue::Message& message) {
  auto it = message.attributes.find(kAttrOriginalMessageId);
  if (it != message.attributes.end() && !it->second.string_value.empty()) {
    return it->second.string_value;
  }
  return message.message_id;
}

Status MoveToDeadLetterQueue(queue::QueueService& service, const std::string& source_queue,
                             const std::string& dead_letter_queue, const queue::Message& message,
                             const std::string& reason, const std::string& detail) {
  queue::SendEntry entry;
  entry.id = "dlq";
  entry.body = message.body;
  entry.delay_seconds = 0;
  queue::MessageAttributes ours;
  ours[kAttrDeadLetterReason] = StringAttr(reason);
  if (!detail.empty()) ours[kAttrDeadLetterDetail] = StringAttr(Truncate(detail));
  ours[kAttrSourceQueue] = StringAttr(source_queue);
  ours[kAttrReceiveCount] = {"Number", std::to_string(message.receive_count), {}};
  ours[kAttrOriginalMessageId] = StringAttr(LogicalMessageId(message));
  entry.attributes = Merge(message.attributes, std::move(ours));
  auto sent = service.SendMessage(dead_letter_queue, std::move(entry));
  if (!sent.ok()) return sent.status();
  return service.DeleteMessage(source_queue, message.receipt_handle);
}

Status RequeueAsNewMessage(queue::QueueService& service, const std::string& queue,
                           const queue::Message& message, int delay_seconds) {
  queue::SendEntry entry;
  entry.id = "requeue";
  entry.body = message.body;
  entry.delay_seconds = std::clamp(delay_seconds, 0, queue::kMaxDelaySeconds);
  queue::MessageAttributes ours;
  ours[kAttrOriginalMessageId] = StringAttr(LogicalMessageId(message));
  entry.attributes = Merge(message.attributes, std::move(ours));
  auto sent = service.SendMessage(queue, std::move(entry));
  if (!sent.ok()) return sent.status();
  return service.DeleteMessage(queue, message.receipt_handle);
}

}  // namespace mlw::worker
