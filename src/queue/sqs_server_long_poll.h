// Parks ReceiveMessage long polls without a thread each, for the SQS endpoint. A parked poll is
// retried when the QueueService announces availability on its queue (AddAvailabilityListener) and
// at least once a second (visibility expiries are not announced); it is answered with messages as
// soon as a receive returns some, or with an empty list at its deadline.
//
// One announcement wakes the parked polls of that queue in arrival order, one receive at a time,
// and stops at the first empty receive: a send of one message costs one or two receives, not one
// per parked poll.
//
// The registry also runs the endpoint's blocking backend calls (Post) on its threads, so that the
// HTTP I/O threads never wait on storage.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <functional>
#include <memory>

#include "queue/queue.h"
#include "queue/sqs_protocol/actions.h"

namespace mlw::queue {

class LongPollRegistry final : public sqs::ReceiveWaiter {
 public:
  // REQUIRES: `service` outlives this object. `threads` ≥ 1 run receives and Post()ed tasks.
  LongPollRegistry(QueueService* service, int threads);
  ~LongPollRegistry() override;

  void WaitForMessages(const std::string& queue, const ReceiveOptions& options,
                       std::chrono::steady_clock::time_point deadline, Done done) override;
  // Runs `task` on the registry's threads.
  void Post(std::function<void()> task);
  // Answers every parked poll with an empty list and later ones at once. Post() still works, so
  // requests in flight can finish. Idempotent.
  void Shutdown();
  // Shutdown(), then waits for the queued and running tasks. REQUIRES: nothing Post()s afterwards.
  void Join();
  // Polls parked now; for tests and metrics.
  size_t parked() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mlw::queue
