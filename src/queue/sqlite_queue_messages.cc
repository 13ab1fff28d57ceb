// SqliteQueueService: sending, receiving, deleting, visibility changes and dead-letter redrive.
#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <utility>

#include "core/log.h"
#include "queue/message_md5.h"
#include "queue/receipt_handle.h"
#include "queue/sqlite_queue.h"
#include "queue/sqlite_queue_codec.h"

namespace mlw::queue {
namespace {

Status InvalidHandle(const std::string& why) {
  return InvalidArgument("The receipt handle is not valid: " + why, "ReceiptHandleIsInvalid");
}

BatchError ToBatchError(const std::string& id, const Status& s) {
  return BatchError{id, s.reason().empty() ? "InvalidParameterValue" : s.reason(), s.message(),
                    s.code() != StatusCode::kInternal && s.code() != StatusCode::kUnavailable};
}

// A message accepted by validation, ready to insert.
struct PreparedSend {
  size_t entry_index = 0;
  SendResult result;
  std::string attributes_blob;
};

}  // namespace

Result<BatchOutcome<SendResult>> SqliteQueueService::SendMessageBatch(
    const std::string& queue, const std::vector<SendEntry>& entries) {
  std::vector<std::string_view> ids;
  for (const SendEntry& e : entries) ids.push_back(e.id);
  MLW_RETURN_IF_ERROR(ValidateBatchEntryIds(ids));
  // Content checks run before the write lock is taken: checking large bodies must not stall other
  // writers. The size limit depends on the queue and is checked in the transaction.
  BatchOutcome<SendResult> outcome;
  std::vector<PreparedSend> prepared;
  size_t total_size = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const SendEntry& e = entries[i];
    total_size += MessageSize(e);
    Status valid = ValidateSendEntry(e, kMaxMessageSizeLimit);
    if (!valid.ok()) {
      outcome.failed.push_back(ToBatchError(e.id, valid));
      continue;
    }
    PreparedSend p;
    p.entry_index = i;
    p.result.id = e.id;
    p.result.message_id = RandomUuid();
    p.result.md5_of_body = Md5Hex(e.body);
    p.result.md5_of_attributes = Md5OfAttributes(e.attributes);
    p.attributes_blob = EncodeAttributes(e.attributes);
    prepared.push_back(std::move(p));
  }
  std::vector<PreparedSend> accepted;
  MLW_RETURN_IF_ERROR(InWriteTransaction([&](SqliteConnection& conn, ChangedQueues* changed) {
    accepted.clear();
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue));
    const size_t max_size = static_cast<size_t>(q.config.maximum_message_size);
    if (entries.size() > 1 && total_size > max_size) {
      return InvalidArgument("Batch requests cannot be longer than " + std::to_string(max_size) +
                                 " bytes; got " + std::to_string(total_size),
                             "BatchRequestTooLong");
    }
    const int64_t now = clock_.NowMillis();
    bool inserted = false;
    for (PreparedSend& candidate : prepared) {
      const SendEntry& e = entries[candidate.entry_index];
      if (MessageSize(e) > max_size) {
        outcome.failed.push_back(
            ToBatchError(e.id, ValidateSendEntry(e, q.config.maximum_message_size)));
        continue;
      }
      accepted.push_back(std::move(candidate));
      PreparedSend& p = accepted.back();
      const int delay_seconds = e.delay_seconds.value_or(q.config.delay_seconds);
      if (!e.deduplication_id.empty()) {
        MLW_ASSIGN_OR_RETURN(SqliteStatement find,
                             conn.Prepare("SELECT message_id FROM dedup WHERE queue_id = ?1 AND"
                                          " dedup_id = ?2 AND expires_ms > ?3"));
        find.Bind(1, q.id).BindText(2, e.deduplication_id).Bind(3, now);
        MLW_ASSIGN_OR_RETURN(bool duplicate, find.Step());
        if (duplicate) {
          p.result.message_id = find.Text(0);  // accepted, not enqueued again
          continue;
        }
        MLW_ASSIGN_OR_RETURN(
            SqliteStatement remember,
            conn.Prepare("INSERT OR REPLACE INTO dedup (queue_id, dedup_id, message_id,"
                         " expires_ms) VALUES (?1, ?2, ?3, ?4)"));
        MLW_RETURN_IF_ERROR(remember.Bind(1, q.id)
                                .BindText(2, e.deduplication_id)
                                .BindText(3, p.result.message_id)
                                .Bind(4, now + kDeduplicationWindowSeconds * 1000LL)
                                .Run());
      }
      MLW_ASSIGN_OR_RETURN(
          SqliteStatement insert,
          conn.Prepare("INSERT INTO messages (queue_id, message_id, body, attributes, md5_body,"
                       " md5_attributes, sent_ms, visible_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                       " ?8)"));
      MLW_RETURN_IF_ERROR(insert.Bind(1, q.id)
                              .BindText(2, p.result.message_id)
                              .BindBlobStatic(3, e.body)
                              .BindBlobStatic(4, p.attributes_blob)
                              .BindText(5, p.result.md5_of_body)
                              .BindText(6, p.result.md5_of_attributes)
                              .Bind(7, now)
                              .Bind(8, now + delay_seconds * 1000LL)
                              .Run());
      inserted = true;
    }
    if (inserted) {
      MLW_RETURN_IF_ERROR(BumpChangeVersion(conn, q.id));
      changed->push_back(queue);
    }
    return Status::Ok();
  }));
  for (PreparedSend& p : accepted) outcome.successful.push_back(std::move(p.result));
  // Results in request order, as SQS returns them.
  auto order = [&](const std::string& id) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].id == id) return i;
    }
    return entries.size();
  };
  std::sort(outcome.failed.begin(), outcome.failed.end(),
            [&](const BatchError& a, const BatchError& b) { return order(a.id) < order(b.id); });
  return outcome;
}

Result<std::vector<Message>> SqliteQueueService::ReceiveMessage(const std::string& queue,
                                                                const ReceiveOptions& options) {
  MLW_RETURN_IF_ERROR(ValidateReceiveOptions(options));
  QueueRow q;
  {
    MLW_ASSIGN_OR_RETURN(SqliteConnectionPool::Lease conn, pool_.Acquire());
    MLW_ASSIGN_OR_RETURN(q, LoadQueue(*conn, queue));
  }
  const int wait_s = options.wait_seconds.value_or(q.config.receive_message_wait_time_seconds);
  const int visibility = options.visibility_timeout.value_or(q.config.visibility_timeout);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  if (wait_s > 0) {
    std::lock_guard<std::mutex> lock(wait_mu_);
    if (++waiters_ == 1) watcher_cv_.notify_all();
  }
  struct WaiterGuard {
    SqliteQueueService* s;
    bool active;
    ~WaiterGuard() {
      if (!active) return;
      std::lock_guard<std::mutex> lock(s->wait_mu_);
      --s->waiters_;
    }
  } guard{this, wait_s > 0};

  for (;;) {
    const uint64_t seen = QueueVersion(queue);
    MLW_ASSIGN_OR_RETURN(ReceiveAttempt attempt,
                         TryReceive(queue, q.id, options.max_messages, visibility));
    const auto now = std::chrono::steady_clock::now();
    if (!attempt.messages.empty() || now >= deadline) return std::move(attempt.messages);
    // Visibility expiry and delays are not announced: re-check when the next message is due by the
    // injected clock, and at least once a second (the injected clock may not be real time).
    auto until = std::min(deadline, now + std::chrono::seconds(1));
    if (attempt.next_visible_ms) {
      int64_t due_ms = std::max<int64_t>(0, *attempt.next_visible_ms - clock_.NowMillis());
      until = std::min(until, now + std::chrono::milliseconds(due_ms));
    }
    WaitForChange(queue, seen, until);
  }
}

Result<SqliteQueueService::ReceiveAttempt> SqliteQueueService::TryReceive(const std::string& queue,
                                                                        int64_t queue_id,
                                                                        int max_messages,
                                                                        int visibility) {
  ReceiveAttempt attempt;
  {
    // A read-only look first, so that idle polls never take the write lock. The transaction below
    // looks the queue up by name again, so a queue deleted meanwhile is still reported.
    MLW_ASSIGN_OR_RETURN(SqliteConnectionPool::Lease conn, pool_.Acquire());
    MLW_ASSIGN_OR_RETURN(SqliteStatement next,
                         conn->Prepare("SELECT MIN(visible_ms) FROM messages WHERE queue_id = ?1"));
    next.Bind(1, queue_id);
    MLW_ASSIGN_OR_RETURN(bool row, next.Step());
    if (!row || next.IsNull(0)) return attempt;
    if (next.Int(0) > clock_.NowMillis()) {
      attempt.next_visible_ms = next.Int(0);
      return attempt;
    }
  }
  MLW_RETURN_IF_ERROR(InWriteTransaction([&](SqliteConnection& conn, ChangedQueues* changed) {
    return ReceiveInTransaction(conn, queue, max_messages, visibility, &attempt.messages, changed);
  }));
  return attempt;
}

Status SqliteQueueService::ReceiveInTransaction(SqliteConnection& conn, const std::string& queue,
                                                int max, int visibility, std::vector<Message>* out,
                                                ChangedQueues* changed) {
  MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue));
  std::optional<QueueRow> dlq;
  if (q.config.redrive_policy) {
    Result<QueueRow> target = LoadQueue(conn, q.config.redrive_policy->dead_letter_queue);
    if (target.ok()) {
      dlq = std::move(target).value();
    } else if (target.status().reason() != "QueueDoesNotExist") {
      return target.status();
    }  // a deleted dead-letter queue disables the redrive, as it would in SQS
  }
  const int64_t now = clock_.NowMillis();
  const int64_t expired_before = now - q.config.message_retention_period * 1000LL;
  std::vector<int64_t> taken;
  // Each round takes what it can; another round runs only when expired or dead-lettered messages
  // made room. Bounded so that one receive never works through an unbounded backlog.
  for (int round = 0; round < 20 && static_cast<int>(out->size()) < max; ++round) {
    struct Candidate {
      int64_t seq;
      std::string message_id, body, attributes, md5_body, md5_attributes;
      int64_t sent_ms, receive_count, first_receive_ms;
    };
    std::vector<Candidate> candidates;
    {
      MLW_ASSIGN_OR_RETURN(
          SqliteStatement select,
          conn.Prepare("SELECT seq, message_id, body, attributes, md5_body, md5_attributes,"
                       " sent_ms, receive_count, first_receive_ms FROM messages"
                       " WHERE queue_id = ?1 AND visible_ms <= ?2 ORDER BY visible_ms LIMIT ?3"));
      select.Bind(1, q.id).Bind(2, now).Bind(3, max - out->size() + taken.size());
      for (;;) {
        MLW_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) break;
        int64_t seq = select.Int(0);
        if (std::find(taken.begin(), taken.end(), seq) != taken.end()) continue;
        candidates.push_back({seq, select.Text(1), select.Text(2), select.Text(3), select.Text(4),
                              select.Text(5), select.Int(6), select.Int(7), select.Int(8)});
      }
    }
    if (candidates.empty()) break;
    bool made_room = false;
    for (Candidate& c : candidates) {
      if (static_cast<int>(out->size()) >= max) break;
      if (c.sent_ms <= expired_before) {
        MLW_ASSIGN_OR_RETURN(SqliteStatement del,
                             conn.Prepare("DELETE FROM messages WHERE seq = ?1"));
        MLW_RETURN_IF_ERROR(del.Bind(1, c.seq).Run());
        made_room = true;
        continue;
      }
      if (dlq && c.receive_count >= q.config.redrive_policy->max_receive_count) {
        // Keeps message id, body, attributes and SentTimestamp; remembers where it came from.
        MLW_ASSIGN_OR_RETURN(
            SqliteStatement move,
            conn.Prepare("UPDATE messages SET queue_id = ?2, visible_ms = ?3, receive_count = 0,"
                         " first_receive_ms = 0, nonce = 0, source_queue = ?4 WHERE seq = ?1"));
        MLW_RETURN_IF_ERROR(move.Bind(1, c.seq).Bind(2, dlq->id).Bind(3, now).BindText(4, q.name).Run());
        if (std::find(changed->begin(), changed->end(), dlq->name) == changed->end()) {
          MLW_RETURN_IF_ERROR(BumpChangeVersion(conn, dlq->id));
          changed->push_back(dlq->name);
        }
        made_room = true;
        continue;
      }
      uint64_t nonce = RandomU64();
      if (nonce == 0) nonce = 1;  // 0 marks "never received"
      int64_t first_receive = c.first_receive_ms == 0 ? now : c.first_receive_ms;
      MLW_ASSIGN_OR_RETURN(
          SqliteStatement take,
          conn.Prepare("UPDATE messages SET visible_ms = ?2, receive_count = receive_count + 1,"
                       " first_receive_ms = ?3, nonce = ?4 WHERE seq = ?1"));
      MLW_RETURN_IF_ERROR(take.Bind(1, c.seq)
                              .Bind(2, now + visibility * 1000LL)
                              .Bind(3, first_receive)
                              .Bind(4, static_cast<int64_t>(nonce))
                              .Run());
      std::optional<MessageAttributes> attributes = DecodeAttributes(c.attributes);
      if (!attributes) return Internal("corrupt attributes stored for message " + c.message_id);
      Message m;
      m.message_id = std::move(c.message_id);
      m.receipt_handle = EncodeReceiptHandle({q.id, c.seq, nonce});
      m.body = std::move(c.body);
      m.md5_of_body = std::move(c.md5_body);
      m.attributes = std::move(*attributes);
      m.md5_of_attributes = std::move(c.md5_attributes);
      m.receive_count = static_cast<int>(c.receive_count + 1);
      m.sent_timestamp_ms = c.sent_ms;
      m.first_receive_timestamp_ms = first_receive;
      out->push_back(std::move(m));
      taken.push_back(c.seq);
    }
    if (!made_room) break;
  }
  return Status::Ok();
}

Result<BatchOutcome<std::string>> SqliteQueueService::DeleteMessageBatch(
    const std::string& queue, const std::vector<HandleEntry>& entries) {
  return ApplyHandles(queue, entries, /*delete_message=*/true);
}

Result<BatchOutcome<std::string>> SqliteQueueService::ChangeMessageVisibilityBatch(
    const std::string& queue, const std::vector<HandleEntry>& entries) {
  return ApplyHandles(queue, entries, /*delete_message=*/false);
}

Result<BatchOutcome<std::string>> SqliteQueueService::ApplyHandles(
    const std::string& queue, const std::vector<HandleEntry>& entries, bool delete_message) {
  std::vector<std::string_view> ids;
  for (const HandleEntry& e : entries) ids.push_back(e.id);
  MLW_RETURN_IF_ERROR(ValidateBatchEntryIds(ids));
  BatchOutcome<std::string> outcome;
  MLW_RETURN_IF_ERROR(InWriteTransaction([&](SqliteConnection& conn, ChangedQueues* changed) {
    outcome = {};
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue));
    const int64_t now = clock_.NowMillis();
    bool made_visible = false;
    for (const HandleEntry& e : entries) {
      auto apply = [&]() -> Status {
        if (!delete_message) MLW_RETURN_IF_ERROR(ValidateVisibilityTimeout(e.visibility_timeout));
        std::optional<ReceiptHandle> h = DecodeReceiptHandle(e.receipt_handle);
        if (!h) return InvalidHandle("it is malformed");
        if (h->queue_id != q.id) return InvalidHandle("it belongs to another queue");
        // The common case in one statement: the handle matches the latest receive.
        if (delete_message) {
          MLW_ASSIGN_OR_RETURN(SqliteStatement del,
                               conn.Prepare("DELETE FROM messages WHERE seq = ?1 AND queue_id = ?2"
                                            " AND nonce = ?3"));
          MLW_RETURN_IF_ERROR(
              del.Bind(1, h->message_seq).Bind(2, q.id).Bind(3, static_cast<int64_t>(h->nonce)).Run());
        } else {
          MLW_ASSIGN_OR_RETURN(SqliteStatement update,
                               conn.Prepare("UPDATE messages SET visible_ms = ?4 WHERE seq = ?1 AND"
                                            " queue_id = ?2 AND nonce = ?3"));
          MLW_RETURN_IF_ERROR(update.Bind(1, h->message_seq)
                                  .Bind(2, q.id)
                                  .Bind(3, static_cast<int64_t>(h->nonce))
                                  .Bind(4, now + e.visibility_timeout * 1000LL)
                                  .Run());
        }
        if (conn.Changes() == 1) {
          if (!delete_message && e.visibility_timeout == 0) made_visible = true;
          return Status::Ok();
        }
        MLW_ASSIGN_OR_RETURN(SqliteStatement find,
                             conn.Prepare("SELECT 1 FROM messages WHERE seq = ?1"));
        find.Bind(1, h->message_seq);
        MLW_ASSIGN_OR_RETURN(bool exists, find.Step());
        if (exists) {
          return InvalidHandle("the message was received again since (only the latest receipt "
                               "handle is valid)");
        }
        // Deleting a message that is already gone succeeds, as in SQS.
        if (delete_message) return Status::Ok();
        return InvalidHandle("the message no longer exists");
      };
      Status s = apply();
      if (s.ok()) {
        outcome.successful.push_back(e.id);
      } else if (s.code() == StatusCode::kInternal || s.code() == StatusCode::kUnavailable) {
        return s;  // a storage failure fails the whole call
      } else {
        outcome.failed.push_back(ToBatchError(e.id, s));
      }
    }
    if (made_visible) {
      MLW_RETURN_IF_ERROR(BumpChangeVersion(conn, q.id));
      changed->push_back(queue);
    }
    return Status::Ok();
  }));
  return outcome;
}

Result<MoveTaskResult> SqliteQueueService::StartMessageMoveTask(
    const std::string& dead_letter_queue, const std::string& destination) {
  auto not_found = [](const std::string& name) {
    return NotFound("The queue " + name + " does not exist", "ResourceNotFoundException");
  };
  if (destination == dead_letter_queue) {
    return InvalidArgument("The destination of a message move task must differ from its source",
                           "InvalidParameterValue");
  }
  MoveTaskResult result;
  result.task_handle = RandomUuid();
  int64_t skipped = 0;
  constexpr int64_t kChunk = 500;
  // Chunks of short transactions keep the write lock free for producers and consumers; a message
  // is moved exactly once because each chunk continues after the last sequence number seen.
  int64_t after_seq = 0;
  for (bool more = true; more;) {
    MLW_RETURN_IF_ERROR(InWriteTransaction([&](SqliteConnection& conn, ChangedQueues* changed) {
      Result<QueueRow> dlq = LoadQueue(conn, dead_letter_queue);
      if (!dlq.ok()) return dlq.status().reason() == "QueueDoesNotExist"
                                ? not_found(dead_letter_queue)
                                : dlq.status();
      std::unordered_map<std::string, std::optional<int64_t>> targets;  // name -> id if exists
      auto target_id = [&](const std::string& name) -> Result<std::optional<int64_t>> {
        auto it = targets.find(name);
        if (it != targets.end()) return it->second;
        Result<QueueRow> t = LoadQueue(conn, name);
        if (!t.ok() && t.status().reason() != "QueueDoesNotExist") return t.status();
        std::optional<int64_t> id;
        if (t.ok()) id = t->id;
        targets.emplace(name, id);
        return id;
      };
      if (!destination.empty()) {
        MLW_ASSIGN_OR_RETURN(std::optional<int64_t> id, target_id(destination));
        if (!id) return not_found(destination);
      }
      std::vector<std::pair<int64_t, std::string>> rows;  // seq, source queue
      {
        MLW_ASSIGN_OR_RETURN(SqliteStatement select,
                             conn.Prepare("SELECT seq, source_queue FROM messages WHERE"
                                          " queue_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"));
        select.Bind(1, dlq->id).Bind(2, after_seq).Bind(3, kChunk);
        for (;;) {
          MLW_ASSIGN_OR_RETURN(bool row, select.Step());
          if (!row) break;
          rows.emplace_back(select.Int(0), select.Text(1));
        }
      }
      more = static_cast<int64_t>(rows.size()) == kChunk;
      const int64_t now = clock_.NowMillis();
      for (const auto& [seq, source] : rows) {
        after_seq = seq;
        const std::string& target = destination.empty() ? source : destination;
        std::optional<int64_t> id;
        if (!target.empty()) {
          MLW_ASSIGN_OR_RETURN(id, target_id(target));
        }
        if (!id) {
          ++skipped;  // sent to the dead-letter queue directly, or its source queue is gone
          continue;
        }
        MLW_ASSIGN_OR_RETURN(
            SqliteStatement move,
            conn.Prepare("UPDATE messages SET queue_id = ?2, visible_ms = ?3, receive_count = 0,"
                         " first_receive_ms = 0, nonce = 0, source_queue = NULL WHERE seq = ?1"));
        MLW_RETURN_IF_ERROR(move.Bind(1, seq).Bind(2, *id).Bind(3, now).Run());
        ++result.moved;
        if (std::find(changed->begin(), changed->end(), target) == changed->end()) {
          MLW_RETURN_IF_ERROR(BumpChangeVersion(conn, *id));
          changed->push_back(target);
        }
      }
      return Status::Ok();
    }));
  }
  log::Info("queue_message_move", {{"source", dead_letter_queue},
                                   {"moved", result.moved},
                                   {"left_without_source", skipped}});
  return result;
}

}  // namespace mlw::queue
