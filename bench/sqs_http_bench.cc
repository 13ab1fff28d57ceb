// The SQS endpoint over HTTP (AWS JSON 1.0, keep-alive connections), in process over the SQLite
// backend in a fresh temporary directory. Prints one JSON object per line:
//   {"bench":"sqs_http_batch10","clients":…,"messages":…,"seconds":…,"messages_per_second":…}
//     every message sent, received and deleted in batches of 10 (3 requests per 10 messages)
//   {"bench":"sqs_http_longpoll_latency","samples":…,"p50_ms":…,"p99_ms":…,"max_ms":…}
//     SendMessage start → return of a parked ReceiveMessage (WaitTimeSeconds 20) on another
//     connection
// Usage: sqs_http_bench [--messages N] [--clients N] [--latency-samples N]
// Every loop is bounded in count and in time (60 s per workload).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "http/client.h"
#include "queue/queue_factory.h"
#include "queue/sqs_server.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr auto kTimeLimit = std::chrono::seconds(60);

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "sqs_http_bench: " << what << "\n";
  std::exit(1);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// One JSON-protocol call; dies on transport errors and non-200 answers.
json Call(mlw::http::HttpClient& client, const std::string& action, const json& input) {
  auto res = client.Send(
      "POST", "/",
      {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "AmazonSQS." + action}},
      input.dump(), std::chrono::seconds(60));
  if (!res.ok()) Die(action + ": " + res.status().ToString());
  if (res->status != 200) Die(action + ": HTTP " + std::to_string(res->status) + " " + res->body);
  return json::parse(res->body);
}

// Sends, receives and deletes `messages` messages in batches of 10; returns messages consumed.
int64_t BatchWorker(uint16_t port, const std::string& url, int64_t messages,
                    Clock::time_point limit) {
  mlw::http::HttpClient client("127.0.0.1", port);
  int64_t consumed = 0;
  int64_t sent = 0;
  while (consumed < messages && Clock::now() < limit) {
    if (sent < messages) {
      json entries = json::array();
      for (int i = 0; i < 10 && sent < messages; ++i, ++sent) {
        entries.push_back({{"Id", "m" + std::to_string(i)},
                           {"MessageBody", R"({"job_type":"process_pending_vitals","user_id":)" +
                                               std::to_string(sent) + "}"}});
      }
      json out = Call(client, "SendMessageBatch", {{"QueueUrl", url}, {"Entries", entries}});
      if (!out["Failed"].empty()) Die("send failures: " + out.dump());
    }
    json got = Call(client, "ReceiveMessage",
                    {{"QueueUrl", url}, {"MaxNumberOfMessages", 10}, {"WaitTimeSeconds", 1}});
    json handles = json::array();
    int i = 0;
    for (const auto& m : got.value("Messages", json::array())) {
      handles.push_back({{"Id", "d" + std::to_string(i++)}, {"ReceiptHandle", m["ReceiptHandle"]}});
    }
    if (handles.empty()) continue;
    json del = Call(client, "DeleteMessageBatch", {{"QueueUrl", url}, {"Entries", handles}});
    if (!del["Failed"].empty()) Die("delete failures: " + del.dump());
    consumed += static_cast<int64_t>(handles.size());
  }
  return consumed;
}

void BenchBatches(uint16_t port, int64_t messages, int clients) {
  mlw::http::HttpClient admin("127.0.0.1", port);
  std::string url = Call(admin, "CreateQueue",
                         {{"QueueName", "bench-batch-" + std::to_string(clients)}})["QueueUrl"];
  std::atomic<int64_t> consumed{0};
  double cpu0 = CpuSeconds();
  auto start = Clock::now();
  auto limit = start + kTimeLimit;
  std::vector<std::thread> workers;
  for (int c = 0; c < clients; ++c) {
    workers.emplace_back([&, c] {
      int64_t share = messages / clients + (c < messages % clients ? 1 : 0);
      consumed += BatchWorker(port, url, share, limit);
    });
  }
  for (auto& w : workers) w.join();
  double secs = Seconds(Clock::now() - start);
  double cpu = CpuSeconds() - cpu0;
  std::cout << json{{"bench", "sqs_http_batch10"},
                    {"clients", clients},
                    {"messages", consumed.load()},
                    {"seconds", secs},
                    {"messages_per_second", consumed.load() / secs},
                    {"http_requests_per_second", consumed.load() * 3 / 10 / secs},
                    {"cpu_seconds", cpu}}
                   .dump()
            << std::endl;
}

void BenchLongPollLatency(mlw::queue::SqsServer& server, int samples) {
  uint16_t port = server.port();
  mlw::http::HttpClient producer("127.0.0.1", port);
  std::string url = Call(producer, "CreateQueue", {{"QueueName", "bench-latency"}})["QueueUrl"];
  std::vector<double> latencies_ms;
  auto limit = Clock::now() + kTimeLimit;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> returned_at_ns{0};
  std::atomic<int> received{0};
  std::thread consumer([&] {
    mlw::http::HttpClient client("127.0.0.1", port);
    while (!stop.load() && Clock::now() < limit) {
      json got = Call(client, "ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}});
      auto now = Clock::now().time_since_epoch();
      for (const auto& m : got.value("Messages", json::array())) {
        returned_at_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
        Call(client, "DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", m["ReceiptHandle"]}});
        ++received;
      }
    }
  });
  for (int i = 0; i < samples && Clock::now() < limit; ++i) {
    // Send only once the consumer is parked, so each sample measures a wake-up.
    while (server.parked_polls() != 1 && Clock::now() < limit) std::this_thread::yield();
    int before = received.load();
    auto sent_at = Clock::now();
    Call(producer, "SendMessage", {{"QueueUrl", url}, {"MessageBody", "tick"}});
    while (received.load() == before && Clock::now() < limit) std::this_thread::yield();
    auto sent_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(sent_at.time_since_epoch()).count();
    latencies_ms.push_back((returned_at_ns.load() - sent_ns) / 1e6);
  }
  stop = true;
  Call(producer, "SendMessage", {{"QueueUrl", url}, {"MessageBody", "stop"}});  // releases the poll
  consumer.join();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1, size_t(p * latencies_ms.size()))];
  };
  std::cout << json{{"bench", "sqs_http_longpoll_latency"},
                    {"samples", latencies_ms.size()},
                    {"p50_ms", pct(0.50)},
                    {"p99_ms", pct(0.99)},
                    {"max_ms", latencies_ms.empty() ? 0.0 : latencies_ms.back()}}
                   .dump()
            << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t messages = 5000;
  int clients = 4;
  int samples = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    long value = std::atol(argv[i + 1]);
    if (value <= 0) Die("flag values must be positive: " + flag);
    if (flag == "--messages")
      messages = value;
    else if (flag == "--clients")
      clients = static_cast<int>(value);
    else if (flag == "--latency-samples")
      samples = static_cast<int>(value);
    else
      Die("unknown flag " + flag + " (use --messages, --clients, --latency-samples)");
  }
  mlw::log::SetLevel(mlw::log::Level::kWarn);
  std::string dir =
      (std::filesystem::temp_directory_path() / ("sqs_http_bench-" + std::to_string(::getpid())))
          .string();
  std::filesystem::create_directories(dir);
  {
    auto opened = mlw::queue::OpenQueueService("sqlite://" + dir + "/queue.db", {});
    if (!opened.ok()) Die(opened.status().ToString());
    mlw::queue::SqsServerOptions options;
    options.http.port = 0;
    options.http.access_log = false;
    mlw::queue::SqsServer server(opened->service.get(), options);
    mlw::Status started = server.Start();
    if (!started.ok()) Die(started.ToString());
    BenchBatches(server.port(), messages, 1);
    BenchBatches(server.port(), messages, clients);
    BenchLongPollLatency(server, samples);
    server.Stop(std::chrono::seconds(5));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
