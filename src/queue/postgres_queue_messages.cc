// PostgresQueueService: sending, receiving, deleting, visibility changes and dead-letter redrive.
#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/log.h"
#include "queue/message_md5.h"
#include "queue/postgres_queue.h"
#include "queue/receipt_handle.h"
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
  std::string attributes_hex;  // BYTEA literal of the encoded attributes
  bool duplicate = false;      // seen within the deduplication window: accepted, not inserted
};

// "{1,2,3}": an int8[] parameter. Integers only, so no quoting is needed.
std::string IntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(values[i]);
  }
  return out + "}";
}

// INSERT of `rows` messages of one queue as one statement: $1 queue id, $2 sent time, then six
// per message. No NOTIFY in the sending transaction (see NotifyLater).
std::string InsertMessagesSql(size_t rows) {
  std::string sql =
      "INSERT INTO mlw_queue_messages (queue_id, sent_ms, message_id, body,"
      " attributes, md5_body, md5_attributes, visible_ms) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    size_t p = 3 + i * 6;
    if (i > 0) sql += ", ";
    sql += "($1, $2";
    for (size_t k = 0; k < 6; ++k) sql += ", $" + std::to_string(p + k);
    sql += ")";
  }
  return sql;
}

}  // namespace

Result<BatchOutcome<SendResult>> PostgresQueueService::SendMessageBatch(
    const std::string& queue, const std::vector<SendEntry>& entries) {
  std::vector<std::string_view> ids;
  for (const SendEntry& e : entries) ids.push_back(e.id);
  MLW_RETURN_IF_ERROR(ValidateBatchEntryIds(ids));
  BatchOutcome<SendResult> outcome;
  std::vector<PreparedSend> prepared;
  size_t total_size = 0;
  bool any_dedup = false;
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
    p.attributes_hex = pg::ByteaHex(EncodeAttributes(e.attributes));
    any_dedup = any_dedup || !e.deduplication_id.empty();
    prepared.push_back(std::move(p));
  }
  const std::vector<BatchError> invalid = outcome.failed;
  std::vector<PreparedSend> accepted;
  // One attempt with the queue row as `lookup` reads it.
  auto attempt = [&](Conn& conn, Lookup lookup) -> Status {
    outcome.failed = invalid;  // a retry starts over
    accepted.clear();
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue, lookup));
    const size_t max_size = static_cast<size_t>(q.config.maximum_message_size);
    if (entries.size() > 1 && total_size > max_size) {
      return InvalidArgument("Batch requests cannot be longer than " + std::to_string(max_size) +
                                 " bytes; got " + std::to_string(total_size),
                             "BatchRequestTooLong");
    }
    for (const PreparedSend& candidate : prepared) {
      const SendEntry& e = entries[candidate.entry_index];
      if (MessageSize(e) > max_size) {
        outcome.failed.push_back(
            ToBatchError(e.id, ValidateSendEntry(e, q.config.maximum_message_size)));
        continue;
      }
      accepted.push_back(candidate);
    }
    const int64_t now = clock_.NowMillis();
    auto write = [&]() -> Status {
      std::vector<pg::Value> params = {q.id, now};
      size_t rows = 0;
      for (PreparedSend& p : accepted) {
        const SendEntry& e = entries[p.entry_index];
        if (!e.deduplication_id.empty()) {
          // Claims the id atomically: a concurrent sender of the same id waits for this
          // transaction and then finds the record live.
          MLW_ASSIGN_OR_RETURN(
              pg::PgResult claimed,
              conn.Execute("INSERT INTO mlw_queue_dedup (queue_id, dedup_id, message_id,"
                           " expires_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (queue_id, dedup_id)"
                           " DO UPDATE SET message_id = excluded.message_id,"
                           " expires_ms = excluded.expires_ms"
                           " WHERE mlw_queue_dedup.expires_ms <= $5",
                           {q.id, e.deduplication_id, p.result.message_id,
                            now + kDeduplicationWindowSeconds * 1000LL, now}));
          if (claimed.Affected() == 0) {
            MLW_ASSIGN_OR_RETURN(pg::PgResult seen,
                                 conn.Execute("SELECT message_id FROM mlw_queue_dedup WHERE"
                                              " queue_id = $1 AND dedup_id = $2",
                                              {q.id, e.deduplication_id}));
            if (seen.rows() == 1) p.result.message_id = std::string(seen.Text(0, 0));
            p.duplicate = true;
            continue;
          }
        }
        const int delay_seconds = e.delay_seconds.value_or(q.config.delay_seconds);
        params.emplace_back(p.result.message_id);
        params.emplace_back(e.body);
        params.emplace_back(p.attributes_hex);
        params.emplace_back(p.result.md5_of_body);
        params.emplace_back(p.result.md5_of_attributes);
        params.emplace_back(now + delay_seconds * 1000LL);
        ++rows;
      }
      if (rows == 0) return Status::Ok();
      Result<pg::PgResult> inserted = conn.Execute(InsertMessagesSql(rows), params);
      if (!inserted.ok() && inserted.status().reason() == "ConstraintViolation") {
        return NotFound("The specified queue " + queue + " does not exist", "QueueDoesNotExist");
      }
      return inserted.status();
    };
    // Without deduplication ids the send is one statement; with them, the claims and the insert
    // commit together.
    if (any_dedup) return Transaction(conn, write);
    return write();
  };
  Status s = WithConnection([&](Conn& conn) -> Status {
    Status sent = attempt(conn, Lookup::kCached);
    // A cached row of a queue deleted (and perhaps created again) by another process: the insert
    // failed its foreign key. Read the row again before answering QueueDoesNotExist.
    if (sent.reason() == "QueueDoesNotExist") {
      ForgetQueue(queue);
      sent = attempt(conn, Lookup::kFresh);
    }
    return sent;
  });
  MLW_RETURN_IF_ERROR(s);
  bool inserted = false;
  for (PreparedSend& p : accepted) {
    inserted = inserted || !p.duplicate;
    outcome.successful.push_back(std::move(p.result));
  }
  if (inserted) {
    Announce({queue});
    NotifyLater({queue});
  }
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

Result<std::vector<Message>> PostgresQueueService::ReceiveMessage(const std::string& queue,
                                                                  const ReceiveOptions& options) {
  MLW_RETURN_IF_ERROR(ValidateReceiveOptions(options));
  std::optional<int> wait_s = options.wait_seconds;
  if (!wait_s) {
    MLW_RETURN_IF_ERROR(WithConnection([&](Conn& conn) -> Status {
      MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue, Lookup::kCached));
      wait_s = q.config.receive_message_wait_time_seconds;
      return Status::Ok();
    }));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*wait_s);
  // After the deadline, how many more times a receive looks again at once because the head of the
  // queue held only messages that were moved or deleted (before it, as long as that happens).
  constexpr int kMaxQuickRetries = 10;
  int quick_retries = 0;
  for (;;) {
    const uint64_t seen = QueueVersion(queue);
    std::vector<Message> messages;
    std::optional<int64_t> next_visible_ms;
    ChangedQueues changed;
    int64_t cleared = 0;
    bool more_visible = false;
    MLW_RETURN_IF_ERROR(WithAckConnection([&](Conn& conn) -> Status {
      messages.clear();
      changed.clear();
      next_visible_ms.reset();
      MLW_ASSIGN_OR_RETURN(cleared,
                           TryReceive(conn, queue, options.max_messages, options.visibility_timeout,
                                      &messages, &next_visible_ms, &more_visible, &changed));
      return Status::Ok();
    }));
    if (!changed.empty()) {
      Announce(changed);
      NotifyLater(changed);
    }
    const auto now = std::chrono::steady_clock::now();
    // More were visible than this receive took: the next parked receiver looks too. (Not after an
    // empty receive: what it saw were rows other receivers were taking at that moment.)
    if (more_visible && !messages.empty()) PassOn(queue);
    if (!messages.empty()) return messages;
    if (cleared > 0 && (now < deadline || ++quick_retries <= kMaxQuickRetries)) continue;
    if (now >= deadline) return messages;
    // Visibility expiry and delays are not announced: re-check when the next message is due by the
    // injected clock, and at least once a second (the injected clock may not be real time).
    auto until = std::min(deadline, now + std::chrono::seconds(1));
    if (next_visible_ms) {
      int64_t due_ms = std::max<int64_t>(0, *next_visible_ms - clock_.NowMillis());
      until = std::min(until, now + std::chrono::milliseconds(due_ms));
    }
    WaitForChange(queue, seen, until);
  }
}

namespace {

// The receive as one statement (one round trip, one transaction). `c` locks the `$5` oldest
// visible rows no other receiver holds — only those, whatever else is in the queue — and splits
// them three ways: past retention ($3) → deleted; received `$4` times already → moved to the
// dead-letter queue $8 (keeping message id, body, attributes and SentTimestamp; remembering the
// source queue $9); the rest → taken, with a new visibility $6 and a fresh nonce (base $7 XOR seq:
// distinct per message, never 0) so older handles stop matching. Without a redrive policy $4 is
// INT32_MAX and nothing moves. Always one row at least: columns 0-10 are a taken message (NULL when
// none), 11 and 12 how many were moved and deleted, 13 — only when nothing was taken — the time
// the next message of the queue becomes visible (delayed or in flight), if any, and 14 whether
// more messages were visible than the head (some may be held by other receivers).
constexpr const char* kReceiveSql =
    "WITH c AS (SELECT seq, visible_ms, sent_ms, receive_count FROM mlw_queue_messages"
    " WHERE queue_id = $1 AND visible_ms <= $2 ORDER BY visible_ms LIMIT $5"
    " FOR UPDATE SKIP LOCKED),"
    " expired AS (DELETE FROM mlw_queue_messages m USING c WHERE m.seq = c.seq"
    " AND c.sent_ms <= $3 RETURNING 1),"
    " moved AS (UPDATE mlw_queue_messages m SET queue_id = $8, visible_ms = $2,"
    " receive_count = 0, first_receive_ms = 0, nonce = 0, source_queue = $9 FROM c"
    " WHERE m.seq = c.seq AND c.sent_ms > $3 AND c.receive_count >= $4 RETURNING 1),"
    " taken AS (UPDATE mlw_queue_messages m SET visible_ms = $6,"
    " receive_count = m.receive_count + 1,"
    " first_receive_ms = CASE WHEN m.first_receive_ms = 0 THEN $2 ELSE m.first_receive_ms END,"
    " nonce = CASE WHEN ($7 # m.seq) = 0 THEN 1 ELSE $7 # m.seq END"
    " FROM c WHERE m.seq = c.seq AND c.sent_ms > $3 AND c.receive_count < $4"
    " RETURNING m.seq, c.visible_ms, m.message_id, m.body, m.attributes, m.md5_body,"
    " m.md5_attributes, m.sent_ms, m.receive_count, m.first_receive_ms, m.nonce)"
    " SELECT t.*, s.* FROM (SELECT (SELECT COUNT(*) FROM moved), (SELECT COUNT(*) FROM expired),"
    " CASE WHEN NOT EXISTS (SELECT 1 FROM taken) THEN (SELECT MIN(visible_ms)"
    " FROM mlw_queue_messages WHERE queue_id = $1 AND visible_ms > $2) END,"
    " (SELECT COUNT(*) FROM (SELECT 1 FROM mlw_queue_messages WHERE queue_id = $1"
    " AND visible_ms <= $2 LIMIT $5 + 1) AS v) > (SELECT COUNT(*) FROM c)) AS s"
    " LEFT JOIN taken t ON true";

}  // namespace

Result<int64_t> PostgresQueueService::TryReceive(Conn& conn, const std::string& queue, int max,
                                                 std::optional<int> visibility_override,
                                                 std::vector<Message>* out,
                                                 std::optional<int64_t>* next_visible_ms,
                                                 bool* more_visible, ChangedQueues* changed) {
  MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue, Lookup::kCached));
  const int visibility = visibility_override.value_or(q.config.visibility_timeout);
  const int64_t now = clock_.NowMillis();
  const int64_t expired_before = now - q.config.message_retention_period * 1000LL;
  int64_t max_receives = std::numeric_limits<int32_t>::max();
  int64_t dlq_id = 0;
  std::string dlq_name;
  if (q.config.redrive_policy) {
    Result<QueueRow> dlq =
        LoadQueue(conn, q.config.redrive_policy->dead_letter_queue, Lookup::kCached);
    if (dlq.ok()) {
      max_receives = q.config.redrive_policy->max_receive_count;
      dlq_id = dlq->id;
      dlq_name = dlq->name;
    } else if (dlq.status().reason() != "QueueDoesNotExist") {
      return dlq.status();
    }  // a deleted dead-letter queue disables the redrive, as it would in SQS
  }
  const uint64_t base = RandomU64();
  MLW_ASSIGN_OR_RETURN(pg::PgResult r,
                       conn.Execute(kReceiveSql, {q.id, now, expired_before, max_receives,
                                                  int64_t{max}, now + visibility * 1000LL,
                                                  static_cast<int64_t>(base), dlq_id, q.name}));
  if (r.rows() < 1) return Internal("the receive statement returned no row");
  const int64_t moved = r.Int(0, 11);
  const int64_t expired = r.Int(0, 12);
  if (moved > 0) changed->push_back(dlq_name);
  if (!r.IsNull(0, 13)) *next_visible_ms = r.Int(0, 13);
  *more_visible = r.Int(0, 14) != 0;
  std::vector<int> order;
  for (int i = 0; i < r.rows(); ++i) {
    if (!r.IsNull(i, 0)) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return std::make_pair(r.Int(a, 1), r.Int(a, 0)) < std::make_pair(r.Int(b, 1), r.Int(b, 0));
  });
  for (int i : order) {
    std::optional<MessageAttributes> attributes = DecodeAttributes(r.Bytes(i, 4));
    if (!attributes) {
      return Internal("corrupt attributes stored for message " + std::string(r.Text(i, 2)));
    }
    Message m;
    m.message_id = std::string(r.Text(i, 2));
    m.receipt_handle =
        EncodeReceiptHandle({q.id, r.Int(i, 0), static_cast<uint64_t>(r.Int(i, 10))});
    m.body = std::string(r.Text(i, 3));
    m.md5_of_body = std::string(r.Text(i, 5));
    m.attributes = std::move(*attributes);
    m.md5_of_attributes = std::string(r.Text(i, 6));
    m.receive_count = static_cast<int>(r.Int(i, 8));
    m.sent_timestamp_ms = r.Int(i, 7);
    m.first_receive_timestamp_ms = r.Int(i, 9);
    out->push_back(std::move(m));
  }
  return moved + expired;
}

Result<BatchOutcome<std::string>> PostgresQueueService::DeleteMessageBatch(
    const std::string& queue, const std::vector<HandleEntry>& entries) {
  return ApplyHandles(queue, entries, /*delete_message=*/true);
}

Result<BatchOutcome<std::string>> PostgresQueueService::ChangeMessageVisibilityBatch(
    const std::string& queue, const std::vector<HandleEntry>& entries) {
  return ApplyHandles(queue, entries, /*delete_message=*/false);
}

Result<BatchOutcome<std::string>> PostgresQueueService::ApplyHandles(
    const std::string& queue, const std::vector<HandleEntry>& entries, bool delete_message) {
  std::vector<std::string_view> ids;
  for (const HandleEntry& e : entries) ids.push_back(e.id);
  MLW_RETURN_IF_ERROR(ValidateBatchEntryIds(ids));
  BatchOutcome<std::string> outcome;
  bool made_visible = false;
  MLW_RETURN_IF_ERROR(WithAckConnection([&](Conn& conn) -> Status {
    outcome = {};
    made_visible = false;
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue, Lookup::kCached));
    const int64_t now = clock_.NowMillis();
    // Entry index -> failure; the valid handles go into one statement.
    std::vector<std::optional<Status>> failure(entries.size());
    std::vector<std::optional<ReceiptHandle>> handles(entries.size());
    std::vector<int64_t> seqs, nonces, visible;
    for (size_t i = 0; i < entries.size(); ++i) {
      const HandleEntry& e = entries[i];
      if (!delete_message) {
        Status valid = ValidateVisibilityTimeout(e.visibility_timeout);
        if (!valid.ok()) {
          failure[i] = valid;
          continue;
        }
      }
      handles[i] = DecodeReceiptHandle(e.receipt_handle);
      if (!handles[i]) {
        failure[i] = InvalidHandle("it is malformed");
      } else if (handles[i]->queue_id != q.id) {
        failure[i] = InvalidHandle("it belongs to another queue");
        handles[i].reset();
      } else {
        seqs.push_back(handles[i]->message_seq);
        nonces.push_back(static_cast<int64_t>(handles[i]->nonce));
        visible.push_back(now + e.visibility_timeout * 1000LL);
      }
    }
    std::unordered_set<int64_t> applied, existing;
    if (!seqs.empty()) {
      // The rows are found by primary key (seq = ANY) whatever the planner believes of the table.
      // The queue check is written `(…) IS TRUE` so that it is not an index condition: with the
      // stale statistics a queue table always has, the planner preferred the (queue_id, sent_ms)
      // index and read every message of the queue per call.
      const char* sql =
          delete_message
              ? "DELETE FROM mlw_queue_messages m USING unnest($1::int8[], $2::int8[]) AS"
                " t(seq, nonce) WHERE m.seq = ANY($1::int8[]) AND m.seq = t.seq"
                " AND m.nonce = t.nonce AND (m.queue_id = $3) IS TRUE RETURNING m.seq"
              : "UPDATE mlw_queue_messages m SET visible_ms = t.visible FROM"
                " unnest($1::int8[], $2::int8[], $4::int8[]) AS t(seq, nonce, visible)"
                " WHERE m.seq = ANY($1::int8[]) AND m.seq = t.seq AND m.nonce = t.nonce"
                " AND (m.queue_id = $3) IS TRUE RETURNING m.seq";
      std::vector<pg::Value> params = {IntArray(seqs), IntArray(nonces), q.id};
      if (!delete_message) params.emplace_back(IntArray(visible));
      MLW_ASSIGN_OR_RETURN(pg::PgResult r, conn.Execute(sql, params));
      for (int i = 0; i < r.rows(); ++i) applied.insert(r.Int(i, 0));
      if (applied.size() < seqs.size()) {
        MLW_ASSIGN_OR_RETURN(pg::PgResult found,
                             conn.Execute("SELECT seq FROM mlw_queue_messages WHERE"
                                          " seq = ANY($1::int8[])",
                                          {IntArray(seqs)}));
        for (int i = 0; i < found.rows(); ++i) existing.insert(found.Int(i, 0));
      }
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      const HandleEntry& e = entries[i];
      if (!failure[i] && handles[i]) {
        const int64_t seq = handles[i]->message_seq;
        if (applied.count(seq)) {
          if (!delete_message && e.visibility_timeout == 0) made_visible = true;
        } else if (existing.count(seq)) {
          failure[i] = InvalidHandle(
              "the message was received again since (only the latest receipt handle is valid)");
        } else if (!delete_message) {
          failure[i] = InvalidHandle("the message no longer exists");
        }  // deleting a message that is already gone succeeds, as in SQS
      }
      if (failure[i]) {
        outcome.failed.push_back(ToBatchError(e.id, *failure[i]));
      } else {
        outcome.successful.push_back(e.id);
      }
    }
    return Status::Ok();
  }));
  if (made_visible) {
    Announce({queue});
    NotifyLater({queue});
  }
  return outcome;
}

Result<MoveTaskResult> PostgresQueueService::StartMessageMoveTask(
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
  // Chunks of short transactions; a message is moved exactly once because each chunk continues
  // after the last sequence number seen and locks the rows it moves.
  int64_t after_seq = 0;
  ChangedQueues all_changed;
  for (bool more = true; more;) {
    ChangedQueues changed;
    int64_t moved_here = 0, skipped_here = 0, last_seq = after_seq;
    MLW_RETURN_IF_ERROR(WithConnection([&](Conn& conn) -> Status {
      changed.clear();
      moved_here = skipped_here = 0;
      last_seq = after_seq;
      return Transaction(conn, [&]() -> Status {
        Result<QueueRow> dlq = LoadQueue(conn, dead_letter_queue);
        if (!dlq.ok()) {
          return dlq.status().reason() == "QueueDoesNotExist" ? not_found(dead_letter_queue)
                                                              : dlq.status();
        }
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
        MLW_ASSIGN_OR_RETURN(
            pg::PgResult rows,
            conn.Execute("SELECT seq, source_queue FROM mlw_queue_messages WHERE queue_id = $1"
                         " AND seq > $2 ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED",
                         {dlq->id, after_seq, kChunk}));
        more = rows.rows() == kChunk;
        const int64_t now = clock_.NowMillis();
        for (int i = 0; i < rows.rows(); ++i) {
          const int64_t seq = rows.Int(i, 0);
          last_seq = seq;
          std::string source = rows.IsNull(i, 1) ? "" : std::string(rows.Text(i, 1));
          const std::string& target = destination.empty() ? source : destination;
          std::optional<int64_t> id;
          if (!target.empty()) {
            MLW_ASSIGN_OR_RETURN(id, target_id(target));
          }
          if (!id) {
            ++skipped_here;  // sent to the dead-letter queue directly, or its source is gone
            continue;
          }
          MLW_RETURN_IF_ERROR(
              conn.Execute("UPDATE mlw_queue_messages SET queue_id = $2, visible_ms = $3,"
                           " receive_count = 0, first_receive_ms = 0, nonce = 0,"
                           " source_queue = NULL WHERE seq = $1",
                           {seq, *id, now})
                  .status());
          ++moved_here;
          if (std::find(changed.begin(), changed.end(), target) == changed.end()) {
            changed.push_back(target);
          }
        }
        return Notify(conn, changed);
      });
    }));
    after_seq = last_seq;
    result.moved += moved_here;
    skipped += skipped_here;
    for (const std::string& q : changed) {
      if (std::find(all_changed.begin(), all_changed.end(), q) == all_changed.end()) {
        all_changed.push_back(q);
      }
    }
  }
  if (!all_changed.empty()) Announce(all_changed);
  log::Info(
      "queue_message_move",
      {{"source", dead_letter_queue}, {"moved", result.moved}, {"left_without_source", skipped}});
  return result;
}

}  // namespace mlw::queue
