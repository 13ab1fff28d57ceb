// Worker runtime overhead per message against the raw queue, same backend (embedded SQLite queue
// and database), no-op handler. Prints one JSON object.
//
//   raw:    SendMessageBatch ×10, then ReceiveMessage(10) + DeleteMessageBatch(10) until empty
//   worker: the same sends, then WorkerRuntime (mode sqs, batch 10) until the queue is empty, with
//           the per-user leases production uses on SQLite (lock file, worker/user_lease_factory.h)
//   worker_without_leases: the same without per-user leases
// Also the lease round trips alone, lock file and database rows (the PostgreSQL mechanism), and
// per message of the worker variants: queue calls (through queue/counting_queue_service.h) and
// context switches of the whole process, both medians over rounds, to tell batching from hand-offs.
//
// All variants share one queue file. Each starts its turn from the same state of it: the WAL
// checkpointed and restarted, so that the automatic checkpoints (an fsync each, one per ~40 MB of
// WAL) fall at the same points of every variant's timed section rather than wherever the variant
// before it left the WAL. The variants take turns going first in a round.
//
// Usage: worker_bench [messages=5000] [concurrency=4] [users=1000] [rounds=5]
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/log.h"
#include "core/metrics.h"
#include "queue/counting_queue_service.h"
#include "queue/queue_factory.h"
#include "store/database_factory.h"
#include "store/migrations.h"
#include "worker/queue_setup.h"
#include "worker/user_lease.h"
#include "worker/user_lease_factory.h"
#include "worker/worker_runtime.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace mlw;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "worker_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

std::string Body(int i, int users) {
  return R"({"job_type":"noop","user_id":)" + std::to_string(1 + i % users) + "}";
}

double SendAll(queue::QueueService& q, const std::string& name, int n, int users) {
  auto t0 = Clock::now();
  for (int i = 0; i < n; i += 10) {
    std::vector<queue::SendEntry> batch;
    for (int j = i; j < std::min(n, i + 10); ++j) {
      batch.push_back({std::to_string(j - i), Body(j, users), std::nullopt, {}, ""});
    }
    auto r = q.SendMessageBatch(name, batch);
    if (!r.ok()) Die("send", r.status());
  }
  return Seconds(t0, Clock::now());
}

double RawConsume(queue::QueueService& q, const std::string& name, int n) {
  auto t0 = Clock::now();
  int done = 0;
  while (done < n) {
    queue::ReceiveOptions ro;
    ro.max_messages = 10;
    ro.wait_seconds = 0;
    auto got = q.ReceiveMessage(name, ro);
    if (!got.ok()) Die("receive", got.status());
    std::vector<queue::HandleEntry> del;
    for (const auto& m : *got) del.push_back({std::to_string(del.size()), m.receipt_handle, 0});
    if (!del.empty()) {
      auto r = q.DeleteMessageBatch(name, del);
      if (!r.ok()) Die("delete", r.status());
    }
    done += static_cast<int>(got->size());
  }
  return Seconds(t0, Clock::now());
}

int64_t Remaining(queue::QueueService& q, const std::string& name) {
  auto a = q.GetQueueAttributes(
      name, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
  if (!a.ok()) Die("attributes", a.status());
  return std::stoll((*a)["ApproximateNumberOfMessages"]) +
         std::stoll((*a)["ApproximateNumberOfMessagesNotVisible"]);
}

// CPU seconds (user + system) used by this process so far, all threads.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Context switches (voluntary + involuntary) of this process so far, all threads.
double ContextSwitches() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_nvcsw + u.ru_nivcsw);
}

// One worker round, from Run() to the queue being empty: what the per-message figures divide.
// The stop after that (waiting out a long poll, joining threads) is a fixed cost per run and is
// reported apart.
struct WorkerRound {
  double seconds = 0, cpu_seconds = 0, switches = 0;
  queue::QueueCallCounts calls;
  double stop_cpu_seconds = 0;
};

// Runs the runtime until the queue is empty.
// The runtime calls the queue through `counting`, which wraps `q`; the bench's own polls do not.
WorkerRound WorkerConsume(queue::QueueService& q, queue::CountingQueueService& counting,
                          const std::string& name, worker::UserLeases* leases, int concurrency,
                          int n) {
  std::mutex mu;
  std::condition_variable cv;
  int handled = 0;  // guarded by mu
  worker::HandlerRegistry registry;
  Status reg = registry.Register("noop", [&](const Job&) {
    std::lock_guard<std::mutex> lock(mu);
    if (++handled == n) cv.notify_all();
    return Status::Ok();
  });
  if (!reg.ok()) Die("register", reg);
  metrics::Registry metrics_registry;
  worker::WorkerMetrics metrics(metrics_registry, "bench");
  worker::WorkerOptions options;
  options.mode = worker::WorkerMode::kSqs;
  options.queues.queue_name = name;
  options.queues.dead_letter_queue_name = name + "-dlq";
  options.batch_size = 10;
  options.wait_seconds = 1;
  options.visibility_timeout_seconds = 60;
  options.concurrency = concurrency;
  options.shutdown_grace_seconds = 10;
  worker::WorkerRuntime runtime(options, &counting, leases, &registry, &metrics);
  WorkerRound round;
  const queue::QueueCallCounts calls0 = counting.counts();
  const double cpu0 = CpuSeconds(), switches0 = ContextSwitches();
  Clock::time_point t0 = Clock::now(), t1;
  std::thread monitor([&] {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return handled >= n; });
    }
    // Handlers are done; the last deletes follow at once. The runtime's deletes are counted as
    // they return, so the end is seen within tens of microseconds (as the raw loop's end is seen
    // exactly) rather than at the next millisecond poll of the queue's counters. A failed delete
    // would mean a redelivery after the visibility timeout: the round then shows that wait.
    const auto give_up = Clock::now() + std::chrono::seconds(300);
    while (counting.counts().deleted - calls0.deleted < n) {
      if (Clock::now() > give_up) Die("worker", Internal("messages were not deleted"));
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    t1 = Clock::now();
    while (Remaining(q, name) > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    round.cpu_seconds = CpuSeconds() - cpu0;
    round.switches = ContextSwitches() - switches0;
    round.calls = counting.counts() - calls0;
    runtime.Stop();
  });
  auto summary = runtime.Run();
  monitor.join();
  if (!summary.ok()) Die("worker", summary.status());
  round.seconds = Seconds(t0, t1);
  round.stop_cpu_seconds = CpuSeconds() - cpu0 - round.cpu_seconds;
  return round;
}

// The database lease round trips alone: acquire for a batch of 10 users, then release them, as the
// runtime does per receive batch. Returns microseconds per message (wall).
double LeaseCycle(worker::UserLeases& leases, int n, int users) {
  auto t0 = Clock::now();
  for (int i = 0; i < n; i += 10) {
    std::vector<worker::LeaseRequest> batch;
    for (int j = i; j < std::min(n, i + 10); ++j) {
      batch.push_back({1 + j % users, "bench:" + std::to_string(j)});
    }
    auto granted = leases.TryAcquire(batch, 60);
    if (!granted.ok()) Die("lease acquire", granted.status());
    if (auto s = leases.Release(batch); !s.ok()) Die("lease release", s);
  }
  return Seconds(t0, Clock::now()) * 1e6 / n;
}

// Per-message figures of one worker round: queue calls and context switches.
struct RoundCounts {
  std::vector<double> receive_calls, empty_receives, delete_calls, visibility_calls,
      attribute_calls, context_switches;
  void Add(const queue::QueueCallCounts& c, double switches, int n) {
    receive_calls.push_back(static_cast<double>(c.receive_calls) / n);
    empty_receives.push_back(static_cast<double>(c.empty_receives) / n);
    delete_calls.push_back(static_cast<double>(c.delete_calls) / n);
    visibility_calls.push_back(static_cast<double>(c.visibility_calls) / n);
    attribute_calls.push_back(static_cast<double>(c.attribute_calls) / n);
    context_switches.push_back(switches / n);
  }
};

// Checkpoints the whole WAL of the queue file into it and makes the next write start the WAL
// from its beginning (RESTART keeps the file's size, as the automatic checkpoints do). Runs while
// no variant is running, through a connection of its own.
void RestartWal(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(RESTART)", -1, &stmt, nullptr) != SQLITE_OK) {
    Die("checkpoint", Internal(sqlite3_errmsg(db)));
  }
  const bool row = sqlite3_step(stmt) == SQLITE_ROW;
  const bool busy = row && sqlite3_column_int(stmt, 0) != 0;  // another connection in the way
  sqlite3_finalize(stmt);
  if (!row || busy) Die("checkpoint", Internal(row ? "busy" : sqlite3_errmsg(db)));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

nlohmann::json PerMessage(const RoundCounts& r) {
  return {{"receive_calls", Median(r.receive_calls)},
          {"empty_receives", Median(r.empty_receives)},
          {"delete_calls", Median(r.delete_calls)},
          {"visibility_calls", Median(r.visibility_calls)},
          {"attribute_calls", Median(r.attribute_calls)},
          {"context_switches", Median(r.context_switches)}};
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int concurrency = argc > 2 ? std::atoi(argv[2]) : 4;
  const int users = argc > 3 ? std::atoi(argv[3]) : 1000;
  const int rounds = argc > 4 ? std::max(1, std::atoi(argv[4])) : 5;
  log::SetLevel(log::Level::kError);  // per-message info lines are not what is measured

  char tmpl[] = "/tmp/mlw-worker-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  const std::string dir = tmpl;
  auto opened = queue::OpenQueueService("sqlite://" + dir + "/queue.db", {});
  if (!opened.ok()) Die("open queue", opened.status());
  queue::QueueService& q = *opened->service;
  sqlite3* wal_db = nullptr;
  if (sqlite3_open_v2((dir + "/queue.db").c_str(), &wal_db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    Die("open queue file", Internal(sqlite3_errmsg(wal_db)));
  }
  sqlite3_busy_timeout(wal_db, 5000);
  queue::CountingQueueService counting(&q);
  auto db = store::OpenDatabase("sqlite://" + dir + "/db.db");
  if (!db.ok()) Die("open database", db.status());
  if (auto m = store::Migrate(**db); !m.ok()) Die("migrate", m.status());
  auto opened_leases = worker::OpenUserLeases(db->get(), &SystemClock::Default());
  if (!opened_leases.ok()) Die("open leases", opened_leases.status());
  worker::UserLeases& leases = **opened_leases;
  worker::DatabaseUserLeases db_leases(db->get(), &SystemClock::Default());

  for (const char* name : {"raw", "worker", "worker-nolease"}) {
    worker::QueueSetupOptions setup;
    setup.queue_name = name;
    setup.dead_letter_queue_name = std::string(name) + "-dlq";
    if (auto s = worker::EnsureQueues(q, setup); !s.ok()) Die("create", s.status());
  }

  // Warm-up (page cache, statement caches).
  SendAll(q, "raw", 200, users);
  RawConsume(q, "raw", 200);

  // Rounds interleave the three variants so that load from other processes on the machine hits
  // them alike; per-message figures are the median over rounds.
  std::vector<double> raw_send, raw_consume, worker_consume, nolease_consume;
  std::vector<double> raw_cpu, worker_cpu, nolease_cpu, lease_cycle, db_lease_cycle;
  std::vector<double> raw_switches, worker_stop_cpu, nolease_stop_cpu;
  RoundCounts worker_counts, nolease_counts;
  const std::function<void()> variants[] = {
      [&] {
        RestartWal(wal_db);
        raw_send.push_back(SendAll(q, "raw", n, users));
        double c0 = CpuSeconds(), s0 = ContextSwitches();
        raw_consume.push_back(RawConsume(q, "raw", n));
        raw_cpu.push_back(CpuSeconds() - c0);
        raw_switches.push_back((ContextSwitches() - s0) / n);
      },
      [&] {
        RestartWal(wal_db);
        SendAll(q, "worker", n, users);
        WorkerRound w = WorkerConsume(q, counting, "worker", &leases, concurrency, n);
        worker_consume.push_back(w.seconds);
        worker_cpu.push_back(w.cpu_seconds);
        worker_stop_cpu.push_back(w.stop_cpu_seconds);
        worker_counts.Add(w.calls, w.switches, n);
      },
      [&] {
        RestartWal(wal_db);
        SendAll(q, "worker-nolease", n, users);
        WorkerRound w = WorkerConsume(q, counting, "worker-nolease", nullptr, concurrency, n);
        nolease_consume.push_back(w.seconds);
        nolease_cpu.push_back(w.cpu_seconds);
        nolease_stop_cpu.push_back(w.stop_cpu_seconds);
        nolease_counts.Add(w.calls, w.switches, n);
      }};
  for (int r = 0; r < rounds; ++r) {
    // Each variant goes first in every third round: what a predecessor leaves behind (its dirty
    // pages being written back, the lease cycles' database writes, caches) falls on all alike.
    for (int k = 0; k < 3; ++k) variants[(r + k) % 3]();
    lease_cycle.push_back(LeaseCycle(leases, n, users));
    db_lease_cycle.push_back(LeaseCycle(db_leases, n, users));
  }
  auto us = [&](const std::vector<double>& v) { return Median(v) * 1e6 / n; };
  const double send = us(raw_send), raw = us(raw_consume), work = us(worker_consume),
               nolease = us(nolease_consume);
  const double raw_cycle = send + raw;
  const double cpu_raw = us(raw_cpu), cpu_worker = us(worker_cpu), cpu_nolease = us(nolease_cpu);
  // The same ratios per round (each round's variants ran back to back), then their median: load
  // from other processes that drifts between rounds then cancels out of each ratio.
  auto paired = [&](const std::vector<double>& consume, const std::vector<double>& base) {
    std::vector<double> ratios;
    for (size_t r = 0; r < consume.size(); ++r) {
      ratios.push_back((consume[r] - base[r]) / (raw_send[r] + raw_consume[r]));
    }
    return nlohmann::json{{"median", Median(ratios)}, {"rounds", ratios}};
  };
  // Best rounds: other processes only ever add time, so the fastest round of each variant is the
  // least disturbed estimate of its own cost.
  auto best = [&](const std::vector<double>& consume, const std::vector<double>& base) {
    auto min = [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); };
    return (min(consume) - min(base)) / (min(raw_send) + min(raw_consume));
  };
  nlohmann::json out = {
      {"benchmark", "worker_overhead"},
      {"backend", "sqlite"},
      {"messages_per_round", n},
      {"rounds", rounds},
      {"concurrency", concurrency},
      {"users", users},
      {"raw",
       {{"send_us_per_msg", send},
        {"receive_delete_us_per_msg", raw},
        {"cycle_us_per_msg", raw_cycle},
        {"cycle_msgs_per_s", 1e6 / raw_cycle},
        {"context_switches_per_msg", Median(raw_switches)}}},
      {"worker",
       {{"consume_us_per_msg", work},
        {"overhead_us_per_msg", work - raw},
        {"overhead_vs_raw_cycle", (work - raw) / raw_cycle},
        {"overhead_vs_raw_receive_delete", (work - raw) / raw},
        {"cpu_us_per_msg", cpu_worker},
        {"cpu_overhead_us_per_msg", cpu_worker - cpu_raw},
        {"cpu_overhead_vs_raw_cycle", (cpu_worker - cpu_raw) / raw_cycle},
        {"per_message", PerMessage(worker_counts)},
        {"stop_cpu_ms", Median(worker_stop_cpu) * 1e3},
        {"paired_overhead_vs_raw_cycle",
         {{"wall", paired(worker_consume, raw_consume)}, {"cpu", paired(worker_cpu, raw_cpu)}}},
        {"best_round_overhead_vs_raw_cycle",
         {{"wall", best(worker_consume, raw_consume)}, {"cpu", best(worker_cpu, raw_cpu)}}}}},
      {"lease_acquire_release_us_per_msg",
       {{"lock_file", Median(lease_cycle)}, {"database_rows", Median(db_lease_cycle)}}},
      {"worker_without_leases",
       {{"consume_us_per_msg", nolease},
        {"overhead_us_per_msg", nolease - raw},
        {"overhead_vs_raw_cycle", (nolease - raw) / raw_cycle},
        {"cpu_us_per_msg", cpu_nolease},
        {"cpu_overhead_vs_raw_cycle", (cpu_nolease - cpu_raw) / raw_cycle},
        {"per_message", PerMessage(nolease_counts)},
        {"stop_cpu_ms", Median(nolease_stop_cpu) * 1e3},
        {"paired_overhead_vs_raw_cycle",
         {{"wall", paired(nolease_consume, raw_consume)}, {"cpu", paired(nolease_cpu, raw_cpu)}}},
        {"best_round_overhead_vs_raw_cycle",
         {{"wall", best(nolease_consume, raw_consume)}, {"cpu", best(nolease_cpu, raw_cpu)}}}}},
  };
  auto per_msg = [&](std::vector<double> v) {
    for (double& x : v) x *= 1e6 / n;
    return v;
  };
  out["rounds_us_per_msg"] = {{"raw_send", per_msg(raw_send)},
                              {"raw_receive_delete", per_msg(raw_consume)},
                              {"worker", per_msg(worker_consume)},
                              {"worker_without_leases", per_msg(nolease_consume)},
                              {"raw_cpu", per_msg(raw_cpu)},
                              {"worker_cpu", per_msg(worker_cpu)},
                              {"worker_without_leases_cpu", per_msg(nolease_cpu)}};
  std::printf("%s\n", out.dump(2).c_str());
  sqlite3_close(wal_db);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
