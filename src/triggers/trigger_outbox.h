// The transactional outbox for job triggers (DESIGN.md "Jobs and idempotency", issues 5 and 8).
//
// Ingest records "user U needs job T" in the `job_triggers` table inside the same database
// transaction as the raw rows, so data and trigger commit together even when the queue is another
// file or a remote SQS queue. A relay then sends each unsent trigger to the queue and marks it
// sent. A crash between commit and send loses nothing: the next relay pass sends it. A duplicate
// send is harmless because handlers are idempotent.
//
// Coalescing: (user, job type) is the table's key, so while a trigger is pending — unsent, or sent
// and not yet picked up — further uploads add nothing: 1,000 uploads in a minute cost one run. The
// handler calls Consume() before it claims rows; uploads after that point record a new trigger, and
// rows uploaded before it are claimed by the run, so no row is ever left without a trigger.
// A sent trigger that is not consumed within `resend_after_seconds` (its message was lost or
// purged) is sent again. Triggers are sent with `delay_seconds` (SQS DelaySeconds): the trigger
// stays pending while it waits, so a user's uploads within that window share one processing run
// instead of each paying for its own (a debounce, traded against a little latency). And a trigger
// for a (user, job type) whose last run started less than `min_run_interval_seconds` ago waits
// until that interval is over (a throttle): a user uploading continuously gets one larger run
// every few seconds, while a user who uploads now and then is processed after `delay_seconds`.
//
// Thread-safety: safe to use from many threads; Relay passes are serialized internally.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/job.h"
#include "core/status.h"
#include "queue/queue.h"
#include "store/database.h"

namespace mlw::triggers {

// The message body of a trigger, as the worker's validation expects it.
std::string TriggerBody(const std::string& job_type, int64_t user_id, JobPriority priority);

struct OutboxOptions {
  std::string queue_name = "ml-worker";  // where triggers are sent
  int resend_after_seconds = 900;        // re-send a sent trigger nobody consumed after this long
  int max_per_pass = 500;                // triggers sent per Relay() call, in batches of 10
  int delay_seconds = 0;                 // 0..900: DelaySeconds of each trigger message
  // 0..900: a (user, job type)'s next trigger is not delivered before this long after its last
  // Consume(); the message's DelaySeconds is raised accordingly (never above 900).
  int min_run_interval_seconds = 0;
};

class TriggerOutbox {
 public:
  TriggerOutbox(store::Database& db, queue::QueueService& queue, const Clock& clock,
                OutboxOptions options);

  // Records the need for a trigger. Call inside the ingest transaction. Returns true when a new
  // trigger was recorded, false when one was already pending (coalesced).
  static Result<bool> Record(store::Connection& tx, int64_t user_id, const std::string& job_type,
                             int64_t now_micros);

  // Marks the (user, job type) trigger consumed at `now_micros`: the handler is about to claim
  // that user's rows; the time starts the min_run_interval. Needs only the database, so workers
  // that never relay can call it.
  static Status Consume(store::Database& db, int64_t user_id, const std::string& job_type,
                        int64_t now_micros);
  // The same inside a transaction: the handler's claim of that user's rows.
  static Status Consume(store::Connection& tx, int64_t user_id, const std::string& job_type,
                        int64_t now_micros);

  // Sends up to max_per_pass unsent (or stale) triggers and marks them sent. Returns how many were
  // sent. A send failure leaves the rest for the next pass.
  Result<int> Relay();

  // Triggers recorded and not yet sent, for metrics and tests.
  Result<int64_t> UnsentCount();

 private:
  // DelaySeconds for a due trigger row (user_id, job_type, created_at_us, consumed_at_us).
  int DelaySeconds(const store::Row& due, int64_t now_micros) const;

  store::Database& db_;
  queue::QueueService& queue_;
  const Clock& clock_;
  OutboxOptions options_;
  std::mutex relay_mu_;  // one relay pass at a time, so a trigger is not sent twice concurrently
};

}  // namespace mlw::triggers
