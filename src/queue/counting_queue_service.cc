#include "queue/counting_queue_service.h"

#include <utility>

namespace mlw::queue {
namespace {

void Add(std::atomic<int64_t>& counter, size_t n) {
  counter.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
}

}  // namespace

QueueCallCounts QueueCallCounts::operator-(const QueueCallCounts& e) const {
  QueueCallCounts d;
  d.send_calls = send_calls - e.send_calls;
  d.sent = sent - e.sent;
  d.receive_calls = receive_calls - e.receive_calls;
  d.empty_receives = empty_receives - e.empty_receives;
  d.received = received - e.received;
  d.delete_calls = delete_calls - e.delete_calls;
  d.deleted = deleted - e.deleted;
  d.visibility_calls = visibility_calls - e.visibility_calls;
  d.visibility_changes = visibility_changes - e.visibility_changes;
  d.attribute_calls = attribute_calls - e.attribute_calls;
  return d;
}

QueueCallCounts CountingQueueService::counts() const {
  QueueCallCounts c;
  c.send_calls = send_calls_.load();
  c.sent = sent_.load();
  c.receive_calls = receive_calls_.load();
  c.empty_receives = empty_receives_.load();
  c.received = received_.load();
  c.delete_calls = delete_calls_.load();
  c.deleted = deleted_.load();
  c.visibility_calls = visibility_calls_.load();
  c.visibility_changes = visibility_changes_.load();
  c.attribute_calls = attribute_calls_.load();
  return c;
}

Status CountingQueueService::CreateQueue(const std::string& name,
                                         const QueueAttributes& attributes) {
  return inner_->CreateQueue(name, attributes);
}

Status CountingQueueService::DeleteQueue(const std::string& name) {
  return inner_->DeleteQueue(name);
}

Result<std::vector<std::string>> CountingQueueService::ListQueues(const std::string& prefix) {
  return inner_->ListQueues(prefix);
}

Result<QueueAttributes> CountingQueueService::GetQueueAttributes(
    const std::string& name, const std::vector<std::string>& names) {
  auto out = inner_->GetQueueAttributes(name, names);
  Add(attribute_calls_, 1);
  return out;
}

Status CountingQueueService::SetQueueAttributes(const std::string& name,
                                                const QueueAttributes& attributes) {
  return inner_->SetQueueAttributes(name, attributes);
}

Result<BatchOutcome<SendResult>> CountingQueueService::SendMessageBatch(
    const std::string& queue, const std::vector<SendEntry>& entries) {
  auto out = inner_->SendMessageBatch(queue, entries);
  Add(send_calls_, 1);
  if (out.ok()) Add(sent_, out->successful.size());
  return out;
}

Result<std::vector<Message>> CountingQueueService::ReceiveMessage(const std::string& queue,
                                                                  const ReceiveOptions& options) {
  auto out = inner_->ReceiveMessage(queue, options);
  Add(receive_calls_, 1);
  if (out.ok()) {
    Add(received_, out->size());
    if (out->empty()) Add(empty_receives_, 1);
  }
  return out;
}

Result<BatchOutcome<std::string>> CountingQueueService::DeleteMessageBatch(
    const std::string& queue, const std::vector<HandleEntry>& entries) {
  auto out = inner_->DeleteMessageBatch(queue, entries);
  Add(delete_calls_, 1);
  if (out.ok()) Add(deleted_, out->successful.size());
  return out;
}

Result<BatchOutcome<std::string>> CountingQueueService::ChangeMessageVisibilityBatch(
    const std::string& queue, const std::vector<HandleEntry>& entries) {
  auto out = inner_->ChangeMessageVisibilityBatch(queue, entries);
  Add(visibility_calls_, 1);
  if (out.ok()) Add(visibility_changes_, out->successful.size());
  return out;
}

Status CountingQueueService::PurgeQueue(const std::string& queue) {
  return inner_->PurgeQueue(queue);
}

Result<std::vector<std::string>> CountingQueueService::ListDeadLetterSourceQueues(
    const std::string& dead_letter_queue) {
  return inner_->ListDeadLetterSourceQueues(dead_letter_queue);
}

Result<MoveTaskResult> CountingQueueService::StartMessageMoveTask(
    const std::string& dead_letter_queue, const std::string& destination) {
  return inner_->StartMessageMoveTask(dead_letter_queue, destination);
}

uint64_t CountingQueueService::AddAvailabilityListener(AvailabilityListener listener) {
  return inner_->AddAvailabilityListener(std::move(listener));
}

void CountingQueueService::RemoveAvailabilityListener(uint64_t listener_id) {
  inner_->RemoveAvailabilityListener(listener_id);
}

}  // namespace mlw::queue
