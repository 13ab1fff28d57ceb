// PostgresQueueService: long-poll waiting, availability listeners, and the LISTEN thread that
// hears other processes' changes and runs the periodic cleanup.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "core/log.h"
#include "queue/postgres_queue.h"

namespace mlw::queue {

PostgresQueueService::Waiters& PostgresQueueService::WaitersOf(const std::string& queue) {
  std::unique_ptr<Waiters>& w = waiters_[queue];
  if (w == nullptr) w = std::make_unique<Waiters>();
  return *w;
}

void PostgresQueueService::Announce(const ChangedQueues& queues, Wake wake) {
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    for (const std::string& q : queues) {
      Waiters& w = WaitersOf(q);
      ++w.version;
      if (wake == Wake::kAll) {
        w.cv.notify_all();
      } else {
        w.cv.notify_one();
      }
    }
  }
  if (listener_count_.load() == 0) return;
  std::lock_guard<std::mutex> lock(listeners_mu_);
  for (const auto& [id, listener] : listeners_) {
    for (const std::string& q : queues) listener(q);
  }
}

void PostgresQueueService::PassOn(const std::string& queue) {
  std::lock_guard<std::mutex> lock(wait_mu_);
  Waiters& w = WaitersOf(queue);
  ++w.version;
  w.cv.notify_one();
}

uint64_t PostgresQueueService::QueueVersion(const std::string& queue) {
  std::lock_guard<std::mutex> lock(wait_mu_);
  return WaitersOf(queue).version;
}

void PostgresQueueService::WaitForChange(const std::string& queue, uint64_t seen,
                                         std::chrono::steady_clock::time_point until) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  Waiters& w = WaitersOf(queue);
  w.cv.wait_until(lock, until, [&] { return stopping_.load() || w.version != seen; });
}

uint64_t PostgresQueueService::AddAvailabilityListener(AvailabilityListener listener) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  uint64_t id = next_listener_id_++;
  listeners_.emplace(id, std::move(listener));
  listener_count_.store(static_cast<int>(listeners_.size()));
  return id;
}

void PostgresQueueService::RemoveAvailabilityListener(uint64_t listener_id) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.erase(listener_id);
  listener_count_.store(static_cast<int>(listeners_.size()));
}

Status PostgresQueueService::Listen(Conn& conn) { return conn.ExecScript("LISTEN mlw_queue"); }

namespace {

// `values` as a text[] parameter literal: every element quoted, '"' and '\' escaped.
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

void PostgresQueueService::NotifyLater(const ChangedQueues& queues) {
  if (queues.empty()) return;
  bool was_empty = false;
  {
    std::lock_guard<std::mutex> lock(notify_mu_);
    was_empty = pending_notify_.empty();
    for (const std::string& q : queues) {
      if (std::find(pending_notify_.begin(), pending_notify_.end(), q) == pending_notify_.end()) {
        pending_notify_.push_back(q);
      }
    }
  }
  // One wake-up per batch of pending names: the thread takes them all at once.
  if (was_empty) {
    char byte = 1;
    (void)!write(wake_pipe_[1], &byte, 1);
  }
}

bool PostgresQueueService::SendPendingNotifications(Conn& conn) {
  ChangedQueues queues;
  {
    std::lock_guard<std::mutex> lock(notify_mu_);
    queues.swap(pending_notify_);
  }
  if (queues.empty()) return false;
  // One transaction, committed asynchronously (listen_url_), for every queue changed since the
  // last round.
  Status s = conn.Execute("SELECT pg_notify('mlw_queue', q) FROM unnest($1::text[]) AS q",
                          {TextArray(queues)})
                 .status();
  if (!s.ok()) {
    log::Warn("queue_notify_failed", {{"error", s.ToString()}});
    // Again once the connection is back; any other failure would only repeat (waiters elsewhere
    // still re-check once a second).
    if (conn.broken()) NotifyLater(queues);
  }
  return true;
}

void PostgresQueueService::AnnounceAll() {
  // Notifications sent while the LISTEN connection was down are lost: wake everyone to re-check,
  // and read every queue row again.
  ForgetQueue("");
  ChangedQueues all;
  Status s = WithConnection([&](Conn& conn) -> Status {
    all.clear();
    MLW_ASSIGN_OR_RETURN(pg::PgResult r, conn.Execute("SELECT name FROM mlw_queue_queues"));
    for (int i = 0; i < r.rows(); ++i) all.emplace_back(r.Text(i, 0));
    return Status::Ok();
  });
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    for (const auto& [name, waiters] : waiters_) {
      if (std::find(all.begin(), all.end(), name) == all.end()) all.push_back(name);
    }
  }
  if (!s.ok()) log::Warn("queue_listener_announce_failed", {{"error", s.ToString()}});
  Announce(all, Wake::kAll);
}

void PostgresQueueService::ListenerLoop() {
  using SteadyClock = std::chrono::steady_clock;
  std::unique_ptr<Conn> conn = std::move(listen_conn_);
  const bool cleanup_enabled = options_.cleanup_interval_seconds > 0;
  const auto cleanup_period = std::chrono::seconds(options_.cleanup_interval_seconds);
  auto next_cleanup = SteadyClock::now() + cleanup_period;
  auto reconnect_backoff = std::chrono::milliseconds(50);
  // NOTIFY rounds are at least this far apart: a lone send is announced at once, a stream of sends
  // costs at most one notifying transaction per interval instead of one per send. Other processes
  // hear of a send at most this much later.
  constexpr auto kNotifyInterval = std::chrono::milliseconds(2);
  auto last_notify = SteadyClock::now() - kNotifyInterval;
  while (!stopping_) {
    if (conn == nullptr || conn->broken()) {
      conn.reset();
      Result<std::unique_ptr<Conn>> opened = pg::PgConnection::Connect(listen_url_);
      Status listening = opened.ok() ? Listen(**opened) : opened.status();
      if (listening.ok()) {
        conn = std::move(opened).value();
        reconnect_backoff = std::chrono::milliseconds(50);
        log::Info("queue_listener_reconnected", {});
        AnnounceAll();
      } else {
        log::Warn("queue_listener_unreachable", {{"error", listening.ToString()}});
      }
    }
    // Sleep until a notification, a wake-up (stop, or NOTIFYs to send), the next cleanup, or
    // (while disconnected) the next reconnect attempt.
    auto until = cleanup_enabled ? next_cleanup : SteadyClock::now() + std::chrono::hours(1);
    bool pending = false;
    {
      std::lock_guard<std::mutex> lock(notify_mu_);
      pending = !pending_notify_.empty();
    }
    if (pending && conn != nullptr) until = std::min(until, last_notify + kNotifyInterval);
    if (conn == nullptr) {
      until = std::min(until, SteadyClock::now() + reconnect_backoff);
      reconnect_backoff = std::min(reconnect_backoff * 2, std::chrono::milliseconds(1000));
    }
    auto timeout = std::chrono::ceil<std::chrono::milliseconds>(until - SteadyClock::now());
    pollfd fds[2] = {{wake_pipe_[0], POLLIN, 0}, {conn ? conn->Socket() : -1, POLLIN, 0}};
    int ready = poll(fds, 2, static_cast<int>(std::max<int64_t>(0, timeout.count())));
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      char buf[64];
      while (read(wake_pipe_[0], buf, sizeof buf) > 0) {
      }
    }
    if (ready > 0 && conn != nullptr && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
      Status consumed = conn->ConsumeInput();
      if (!consumed.ok()) {
        log::Warn("queue_listener_lost", {{"error", consumed.ToString()}});
        continue;
      }
    }
    // Sent before stopping too, so that other processes hear of this one's last sends.
    if (conn != nullptr && !conn->broken() &&
        (stopping_ || SteadyClock::now() >= last_notify + kNotifyInterval) &&
        SendPendingNotifications(*conn)) {
      last_notify = SteadyClock::now();
    }
    if (stopping_) break;
    if (conn == nullptr || conn->broken()) continue;
    // Also what arrived while the NOTIFYs above were sent (libpq keeps it; the socket is drained).
    ChangedQueues changed, reconfigured;
    for (pg::Notification& n : conn->TakeNotifications()) {
      // This connection's own NOTIFYs: their queues were announced here when queued.
      if (n.sender_pid == conn->BackendPid()) continue;
      const std::string config_prefix = ConfigChangedPayload("");
      ChangedQueues& into = n.payload.rfind(config_prefix, 0) == 0 ? reconfigured : changed;
      if (&into == &reconfigured) {
        n.payload.erase(0, config_prefix.size());
        ForgetQueue(n.payload);
      }
      if (std::find(into.begin(), into.end(), n.payload) == into.end()) {
        into.push_back(std::move(n.payload));
      }
    }
    if (!changed.empty()) Announce(changed);
    // Deleted or reconfigured elsewhere: every waiter looks again (and may find the queue gone).
    if (!reconfigured.empty()) Announce(reconfigured, Wake::kAll);
    if (cleanup_enabled && SteadyClock::now() >= next_cleanup) {
      Result<int64_t> cleaned = RunCleanup();
      if (!cleaned.ok()) {
        log::Warn("queue_cleanup_failed", {{"error", cleaned.status().ToString()}});
      }
      next_cleanup = SteadyClock::now() + cleanup_period;
    }
  }
}

}  // namespace mlw::queue
