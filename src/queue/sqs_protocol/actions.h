// The SQS actions, protocol-neutral: each takes its input in the JSON protocol's shape, calls the
// QueueService and produces its output in the same shape (wire.h renders it for either protocol).
// Handlers only translate (parameter checks, names, encodings); queue semantics live in the
// QueueService.
//
// Thread-safety: Execute() may be called from many threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "queue/queue.h"
#include "queue/sqs_protocol/move_task_log.h"
#include "queue/sqs_protocol/params.h"

namespace mlw::queue::sqs {

struct ActionContext {
  std::string base_url;    // "http://127.0.0.1:9324": the host the client used, for queue URLs
  std::string path_queue;  // queue name from the request path ("/000000000000/<name>"), or empty
};

// Waits for messages on behalf of a long poll without holding a thread (see
// sqs_server_long_poll.h).
class ReceiveWaiter {
 public:
  using Done = std::function<void(Result<std::vector<Message>>)>;
  virtual ~ReceiveWaiter() = default;
  // Calls `done` exactly once, from any thread: with messages as soon as a receive with `options`
  // (whose wait_seconds is 0) returns some, with an empty list at `deadline`, or with an error.
  virtual void WaitForMessages(const std::string& queue, const ReceiveOptions& options,
                               std::chrono::steady_clock::time_point deadline, Done done) = 0;
};

using ActionDone = std::function<void(Result<nlohmann::json>)>;

class SqsActions {
 public:
  // REQUIRES: both outlive this object and every pending long poll.
  SqsActions(QueueService* service, ReceiveWaiter* waiter);

  // Runs `action`. Calls `done` exactly once: before returning, or later from another thread for
  // a long poll. Unknown actions fail with InvalidAction, known but unsupported ones with
  // UnsupportedOperation.
  void Execute(const std::string& action, const nlohmann::json& input, const ActionContext& context,
               ActionDone done) const;

 private:
  using Sync = Result<nlohmann::json> (SqsActions::*)(const Params&, const ActionContext&) const;
  const std::map<std::string, Sync>& SyncActions() const;

  Result<std::string> QueueName(const Params& p, const ActionContext& context) const;

  // Queue administration (actions.cc).
  Result<nlohmann::json> CreateQueue(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> GetQueueUrl(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> ListQueues(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> DeleteQueue(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> GetQueueAttributes(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> SetQueueAttributes(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> PurgeQueue(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> ListDeadLetterSourceQueues(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> StartMessageMoveTask(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> ListMessageMoveTasks(const Params& p, const ActionContext& c) const;

  // Messages (message_actions.cc).
  Result<nlohmann::json> SendMessage(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> SendMessageBatch(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> DeleteMessage(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> DeleteMessageBatch(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> ChangeMessageVisibility(const Params& p, const ActionContext& c) const;
  Result<nlohmann::json> ChangeMessageVisibilityBatch(const Params& p,
                                                      const ActionContext& c) const;
  void ReceiveMessage(const Params& p, const ActionContext& c, ActionDone done) const;

  // A validated ReceiveMessage request.
  struct ReceivePlan {
    std::string queue;
    ReceiveOptions options;  // wait_seconds is 0: the wait happens in ReceiveMessage/ReceiveWaiter
    int wait_seconds = 0;    // the request's WaitTimeSeconds or the queue's default
    std::set<std::string> system_attributes;
    std::vector<std::string> attribute_names;
  };
  Result<ReceivePlan> PlanReceive(const Params& p, const ActionContext& c) const;

  QueueService* service_;
  ReceiveWaiter* waiter_;
  mutable MoveTaskLog move_tasks_;
};

// Request-level checks of batch entry ids shared by the batch actions: EmptyBatchRequest,
// TooManyEntriesInBatchRequest, MissingParameter, InvalidBatchEntryId, BatchEntryIdsNotDistinct.
Result<std::vector<std::string>> CheckBatchIds(const std::vector<const nlohmann::json*>& entries,
                                               const std::string& entry_name);

// Renders the failed entries of a batch outcome.
nlohmann::json EncodeBatchErrors(const std::vector<BatchError>& failed);

}  // namespace mlw::queue::sqs
