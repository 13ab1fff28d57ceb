// A QueueService decorator that forwards every call to another service and counts the calls and
// entries of the message operations: what a benchmark prints as "delete calls per message" and what
// a test asserts about how a caller batches. A call is counted when it returns (a long poll in
// progress is not counted yet). Counting costs a few relaxed atomic additions.
//
// Thread-safety: as the wrapped service; the counters may be read at any time.
#pragma once

#include <atomic>
#include <cstdint>

#include "queue/queue.h"

namespace mlw::queue {

// A snapshot of the counters; entry counts are summed over calls.
struct QueueCallCounts {
  int64_t send_calls = 0, sent = 0;
  int64_t receive_calls = 0, empty_receives = 0, received = 0;
  int64_t delete_calls = 0, deleted = 0;
  int64_t visibility_calls = 0, visibility_changes = 0;
  int64_t attribute_calls = 0;

  QueueCallCounts operator-(const QueueCallCounts& earlier) const;
};

class CountingQueueService final : public QueueService {
 public:
  // `inner` must outlive this object.
  explicit CountingQueueService(QueueService* inner) : inner_(inner) {}

  QueueCallCounts counts() const;

  Status CreateQueue(const std::string& name, const QueueAttributes& attributes) override;
  Status DeleteQueue(const std::string& name) override;
  Result<std::vector<std::string>> ListQueues(const std::string& prefix) override;
  Result<QueueAttributes> GetQueueAttributes(const std::string& name,
                                             const std::vector<std::string>& names) override;
  Status SetQueueAttributes(const std::string& name, const QueueAttributes& attributes) override;
  Result<BatchOutcome<SendResult>> SendMessageBatch(const std::string& queue,
                                                    const std::vector<SendEntry>& entries) override;
  Result<std::vector<Message>> ReceiveMessage(const std::string& queue,
                                              const ReceiveOptions& options) override;
  Result<BatchOutcome<std::string>> DeleteMessageBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) override;
  Result<BatchOutcome<std::string>> ChangeMessageVisibilityBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) override;
  Status PurgeQueue(const std::string& queue) override;
  Result<std::vector<std::string>> ListDeadLetterSourceQueues(
      const std::string& dead_letter_queue) override;
  Result<MoveTaskResult> StartMessageMoveTask(const std::string& dead_letter_queue,
                                              const std::string& destination) override;
  uint64_t AddAvailabilityListener(AvailabilityListener listener) override;
  void RemoveAvailabilityListener(uint64_t listener_id) override;

 private:
  QueueService* const inner_;
  std::atomic<int64_t> send_calls_{0}, sent_{0};
  std::atomic<int64_t> receive_calls_{0}, empty_receives_{0}, received_{0};
  std::atomic<int64_t> delete_calls_{0}, deleted_{0};
  std::atomic<int64_t> visibility_calls_{0}, visibility_changes_{0};
  std::atomic<int64_t> attribute_calls_{0};
};

}  // namespace mlw::queue
