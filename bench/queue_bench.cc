// In-process queue benchmark. Prints one JSON object per line:
//   {"bench":"sqlite_e2e_batch10", "messages":…, "seconds":…, "messages_per_second":…}
//   {"bench":"sqlite_e2e_single", …}
//   {"bench":"sqlite_longpoll_latency", "samples":…, "p50_ms":…, "p99_ms":…, "max_ms":…}
// End to end means every message is sent, received and deleted. Usage:
//   queue_bench [--url sqlite:///path/queue.db] [--messages N] [--latency-samples N]
// Without --url it works in a fresh temporary directory that it removes afterwards.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "long_poll_latency.h"
#include "queue/queue_factory.h"

namespace {

using mlw::queue::HandleEntry;
using mlw::queue::Message;
using mlw::queue::QueueService;
using mlw::queue::SendEntry;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "queue_bench: " << what << "\n";
  std::exit(1);
}

void Check(const mlw::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// User + system CPU seconds of the whole process; on a shared machine, messages per CPU second
// is steadier than messages per wall second.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void Emit(nlohmann::json j) { std::cout << j.dump() << std::endl; }

// Receives and deletes until `total` messages were consumed or the time limit passes.
// `receives`, when given, counts the receive calls made.
int64_t Consume(QueueService& q, const std::string& queue, int64_t total, int batch,
                Clock::time_point limit, int64_t* receives = nullptr) {
  int64_t done = 0;
  while (done < total && Clock::now() < limit) {
    auto got = q.ReceiveMessage(queue, {.max_messages = batch, .wait_seconds = 1});
    Check(got.status(), "receive");
    if (receives != nullptr) ++*receives;
    if (got->empty()) continue;
    std::vector<HandleEntry> handles;
    for (const Message& m : *got) {
      handles.push_back({"h" + std::to_string(handles.size()), m.receipt_handle, 0});
    }
    auto del = q.DeleteMessageBatch(queue, handles);
    Check(del.status(), "delete");
    if (!del->failed.empty()) Die("delete failed: " + del->failed[0].message);
    done += static_cast<int64_t>(got->size());
  }
  return done;
}

// One producer thread sends, one consumer thread receives and deletes, `batch` at a time.
void EndToEnd(QueueService& q, const std::string& name, int64_t messages, int batch) {
  const std::string queue = "bench-" + name;
  Check(q.CreateQueue(queue, {}), "create");
  const std::string body(200, 'x');  // about the size of a job trigger with some headroom
  const auto limit = Clock::now() + std::chrono::seconds(120);
  const auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  std::thread producer([&] {
    for (int64_t sent = 0; sent < messages && Clock::now() < limit; sent += batch) {
      std::vector<SendEntry> entries;
      for (int i = 0; i < batch; ++i)
        entries.push_back({.id = "e" + std::to_string(i), .body = body});
      auto r = q.SendMessageBatch(queue, entries);
      Check(r.status(), "send");
      if (!r->failed.empty()) Die("send failed: " + r->failed[0].message);
    }
  });
  int64_t receives = 0;
  int64_t consumed = Consume(q, queue, messages, batch, limit, &receives);
  producer.join();
  const double s = Seconds(Clock::now() - start);
  const double cpu = CpuSeconds() - cpu_start;
  Emit({{"bench", "sqlite_e2e_" + name},
        {"messages", consumed},
        {"batch", batch},
        {"seconds", s},
        {"messages_per_second", consumed / s},
        {"cpu_seconds", cpu},
        {"messages_per_cpu_second", consumed / cpu},
        {"messages_per_receive", static_cast<double>(consumed) / std::max<int64_t>(1, receives)},
        {"complete", consumed == messages}});
}

// One thread alternates send batch, receive batch, delete batch: the cost of the work itself,
// without hand-offs between threads.
void Serial(QueueService& q, int64_t messages) {
  const std::string queue = "bench-serial";
  Check(q.CreateQueue(queue, {}), "create");
  const std::string body(200, 'x');
  std::vector<SendEntry> entries;
  for (int i = 0; i < 10; ++i) entries.push_back({.id = "e" + std::to_string(i), .body = body});
  const auto limit = Clock::now() + std::chrono::seconds(120);
  const auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  int64_t consumed = 0;
  while (consumed < messages && Clock::now() < limit) {
    auto sent = q.SendMessageBatch(queue, entries);
    Check(sent.status(), "send");
    consumed += Consume(q, queue, 10, 10, limit);
  }
  const double s = Seconds(Clock::now() - start);
  const double cpu = CpuSeconds() - cpu_start;
  Emit({{"bench", "sqlite_e2e_batch10_one_thread"},
        {"messages", consumed},
        {"batch", 10},
        {"seconds", s},
        {"messages_per_second", consumed / s},
        {"cpu_seconds", cpu},
        {"messages_per_cpu_second", consumed / cpu},
        {"complete", consumed >= messages}});
}

// Enqueue-to-receive latency for a parked long poll: send-call start to receive return.
void LongPollLatency(QueueService& receiver_side, QueueService& sender_side,
                     const std::string& name, int samples) {
  std::vector<double> latencies_ms = mlw::bench::LongPollLatenciesMs(
      receiver_side, sender_side, "bench-latency-" + name, samples, 30000);
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<size_t>(p * latencies_ms.size()))];
  };
  Emit({{"bench", "sqlite_longpoll_latency_" + name},
        {"samples", latencies_ms.size()},
        {"p50_ms", pct(0.50)},
        {"p99_ms", pct(0.99)},
        {"max_ms", latencies_ms.back()}});
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int64_t messages = 100000;
  int latency_samples = 300;
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
    } else if (arg == "--latency-samples") {
      latency_samples = std::stoi(next());
    } else {
      Die("unknown argument " + arg + " (use --url, --messages, --latency-samples)");
    }
  }
  if (messages < 10 || latency_samples < 1) Die("--messages >= 10 and --latency-samples >= 1");
  std::filesystem::path temp;
  if (url.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mlw-queue-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed");
    temp = tmpl;
    url = "sqlite://" + (temp / "queue.db").string();
  }
  {
    auto opened = mlw::queue::OpenQueueService(url, {});
    Check(opened.status(), "open");
    auto second = mlw::queue::OpenQueueService(url, {});  // as another process would see the file
    Check(second.status(), "open second");
    QueueService& q = *opened->service;
    EndToEnd(q, "batch10", messages, 10);
    Serial(q, messages);
    EndToEnd(q, "single", std::max<int64_t>(10, messages / 10), 1);
    LongPollLatency(q, q, "same_service", latency_samples);
    LongPollLatency(q, *second->service, "other_service", std::max(1, latency_samples / 3));
  }
  if (!temp.empty()) std::filesystem::remove_all(temp);
  return 0;
}
