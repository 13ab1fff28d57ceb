// PostgreSQL queue benchmark: end-to-end throughput (every message sent, received and deleted)
// with and without batching, per-call latency of send, receive and delete, and the wake-up
// latency of a parked long poll (send through another service, as another process would).
// Prints one JSON object per line, e.g.
//   {"bench":"postgres_e2e_batch10","messages":…,"consumers":4,"messages_per_second":…}
//   {"bench":"postgres_call_latency","op":"send","p50_ms":…,"p99_ms":…}
// Usage:
//   postgres_queue_bench [--url postgresql://…] [--messages N] [--consumers N] [--producers N]
//                        [--samples N] [--durable-acks]
// --durable-acks makes receives and deletes wait for their commit flush, as the peers do.
// Without --url it starts a throwaway PostgreSQL 15 cluster (tests/postgres/pg_test_cluster.h)
// and removes it afterwards. Every loop is bounded by its count and by 120 s.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "long_poll_latency.h"
#include "pg_test_cluster.h"
#include "queue/postgres_queue.h"

namespace {

using mlw::queue::HandleEntry;
using mlw::queue::Message;
using mlw::queue::PostgresQueueOptions;
using mlw::queue::PostgresQueueService;
using mlw::queue::QueueService;
using mlw::queue::SendEntry;
using SteadyClock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "postgres_queue_bench: " << what << "\n";
  std::exit(1);
}

void Check(const mlw::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

double Ms(SteadyClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Emit(const nlohmann::json& j) { std::cout << j.dump() << std::endl; }

nlohmann::json Percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))]; };
  return {{"samples", v.size()}, {"p50_ms", pct(0.5)}, {"p99_ms", pct(0.99)}, {"max_ms", v.back()}};
}

std::unique_ptr<PostgresQueueService> Open(const std::string& url, bool durable_acks) {
  PostgresQueueOptions options;
  options.url = url;
  options.durable_acks = durable_acks;
  options.max_connections = 32;
  auto s = PostgresQueueService::Open(options, mlw::SystemClock::Default());
  Check(s.status(), "open");
  return std::move(s).value();
}

// `consumers` threads receive and delete `batch` at a time while `producers` threads send (each its
// share of `messages`, one batch at a time).
void EndToEnd(QueueService& q, const std::string& name, int64_t messages, int batch, int consumers,
              int producers) {
  const std::string queue = "bench-" + name;
  Check(q.CreateQueue(queue, {}), "create");
  const std::string body(200, 'x');
  const auto limit = SteadyClock::now() + std::chrono::seconds(120);
  const auto start = SteadyClock::now();
  std::vector<std::thread> senders;
  for (int p = 0; p < producers; ++p) {
    const int64_t share = messages / producers + (p < messages % producers ? 1 : 0);
    senders.emplace_back([&, share] {
      for (int64_t sent = 0; sent < share && SteadyClock::now() < limit; sent += batch) {
        std::vector<SendEntry> entries;
        for (int i = 0; i < batch && sent + i < share; ++i)
          entries.push_back({.id = "e" + std::to_string(i), .body = body});
        auto r = q.SendMessageBatch(queue, entries);
        Check(r.status(), "send");
      }
    });
  }
  std::atomic<int64_t> consumed{0};
  std::mutex done_mu;
  std::optional<SteadyClock::time_point> done_at;  // guarded by done_mu
  std::vector<std::thread> threads;
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      while (consumed.load() < messages && SteadyClock::now() < limit) {
        auto got = q.ReceiveMessage(queue, {.max_messages = batch, .wait_seconds = 1});
        Check(got.status(), "receive");
        if (got->empty()) continue;
        std::vector<HandleEntry> handles;
        for (const Message& m : *got) {
          handles.push_back({"h" + std::to_string(handles.size()), m.receipt_handle, 0});
        }
        auto del = q.DeleteMessageBatch(queue, handles);
        Check(del.status(), "delete");
        if (!del->failed.empty()) Die("delete failed: " + del->failed[0].message);
        const auto n = static_cast<int64_t>(got->size());
        if (consumed.fetch_add(n) + n >= messages) {
          std::lock_guard<std::mutex> lock(done_mu);
          if (!done_at) done_at = SteadyClock::now();
        }
      }
    });
  }
  for (auto& t : senders) t.join();
  for (auto& t : threads) t.join();
  // The clock stops when the last message is deleted, as the peers' runs stop at their last
  // completion: the other consumers' long polls still parked then (up to 1 s) are not work.
  const double s = Ms(done_at.value_or(SteadyClock::now()) - start) / 1000;
  Emit({{"bench", "postgres_e2e_" + name},
        {"messages", consumed.load()},
        {"batch", batch},
        {"consumers", consumers},
        {"producers", producers},
        {"seconds", s},
        {"messages_per_second", consumed.load() / s},
        {"complete", consumed.load() >= messages}});
}

// Latency of single calls on an otherwise idle queue: send, receive (no wait), delete.
void CallLatency(QueueService& q, int samples) {
  const std::string queue = "bench-calls";
  Check(q.CreateQueue(queue, {}), "create");
  std::vector<double> send, receive, del;
  for (int i = 0; i < samples; ++i) {
    auto t0 = SteadyClock::now();
    Check(q.SendMessage(queue, {.body = "ping"}).status(), "send");
    auto t1 = SteadyClock::now();
    auto got = q.ReceiveMessage(queue, {.max_messages = 1, .wait_seconds = 0});
    auto t2 = SteadyClock::now();
    Check(got.status(), "receive");
    if (got->size() != 1) Die("receive returned " + std::to_string(got->size()));
    Check(q.DeleteMessage(queue, got->at(0).receipt_handle), "delete");
    auto t3 = SteadyClock::now();
    send.push_back(Ms(t1 - t0));
    receive.push_back(Ms(t2 - t1));
    del.push_back(Ms(t3 - t2));
  }
  for (auto& [op, v] : {std::pair{"send", send}, {"receive", receive}, {"delete", del}}) {
    nlohmann::json j = Percentiles(v);
    j["bench"] = "postgres_call_latency";
    j["op"] = op;
    Emit(j);
  }
}

// Send-to-receive latency of a long poll parked in one service, the send made by another.
void LongPollLatency(QueueService& receiver_side, QueueService& sender_side, int samples) {
  const std::vector<double> latencies =
      mlw::bench::LongPollLatenciesMs(receiver_side, sender_side, "bench-longpoll", samples, 20000);
  nlohmann::json j = Percentiles(latencies);
  j["bench"] = "postgres_longpoll_latency_other_service";
  Emit(j);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int64_t messages = 50000;
  int consumers = 4;
  int producers = 1;
  int samples = 300;
  bool durable_acks = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--url") {
      url = next();
    } else if (arg == "--messages") {
      messages = std::stoll(next());
    } else if (arg == "--consumers") {
      consumers = std::stoi(next());
    } else if (arg == "--producers") {
      producers = std::stoi(next());
    } else if (arg == "--durable-acks") {
      durable_acks = true;
    } else if (arg == "--samples") {
      samples = std::stoi(next());
    } else {
      Die("unknown argument " + arg +
          " (use --url, --messages, --consumers, --producers, --samples, --durable-acks)");
    }
  }
  if (messages < 10 || consumers < 1 || producers < 1 || samples < 1) {
    Die("--messages >= 10, --consumers >= 1, --producers >= 1, --samples >= 1");
  }
  if (url.empty()) {
    std::string why;
    mlw::pgtest::PgTestCluster* cluster = mlw::pgtest::PgTestCluster::Shared(&why);
    if (cluster == nullptr) Die("no --url and no throwaway cluster: " + why);
    auto created = cluster->CreateDatabase();
    Check(created.status(), "create database");
    url = *created;
  }
  auto q = Open(url, durable_acks);
  auto other = Open(url, durable_acks);
  EndToEnd(*q, "batch10", messages, 10, consumers, producers);
  EndToEnd(*q, "single", std::max<int64_t>(10, messages / 10), 1, consumers, producers);
  CallLatency(*q, samples);
  LongPollLatency(*q, *other, std::max(1, samples / 3));
  return 0;
}
