// Send-to-receive latency of a parked long poll, shared by the queue benchmarks: a receiver thread
// long-polls `receiver_side` for one message at a time; once it is waiting, the caller's thread
// sends through `sender_side` (the same service, or another one on the same queue store). A
// failed call ends the process with a message on stderr, as the benchmarks' own checks do.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "queue/queue.h"

namespace mlw::bench {

// Creates `queue` and returns `samples` latencies in milliseconds, from the start of the send call
// to the return of the receive, in round order. Before each send the sender waits 3 ms plus a
// varying part below `jitter_span_us`, so the receiver has parked (the benchmark measures
// wake-up, not a poll that races in) and sends do not fall in step with any polling.
inline std::vector<double> LongPollLatenciesMs(queue::QueueService& receiver_side,
                                               queue::QueueService& sender_side,
                                               const std::string& queue, int samples,
                                               int jitter_span_us) {
  using SteadyClock = std::chrono::steady_clock;
  auto check = [](const Status& s, const char* what) {
    if (s.ok()) return;
    std::fprintf(stderr, "long poll latency: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  };
  check(receiver_side.CreateQueue(queue, {}), "create");
  std::mutex mu;
  std::condition_variable cv;
  int ready_round = -1;  // the round the receiver is about to wait for
  std::vector<SteadyClock::time_point> sent_at(static_cast<size_t>(samples));
  std::vector<double> latencies_ms;
  std::thread receiver([&] {
    for (int round = 0; round < samples; ++round) {
      {
        std::lock_guard<std::mutex> lock(mu);
        ready_round = round;
      }
      cv.notify_all();
      auto got = receiver_side.ReceiveMessage(queue, {.max_messages = 1, .wait_seconds = 20});
      const auto now = SteadyClock::now();
      check(got.status(), "receive");
      if (got->empty()) check(Internal("long poll returned empty"), "receive");
      check(receiver_side.DeleteMessage(queue, got->at(0).receipt_handle), "delete");
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(now - sent_at[static_cast<size_t>(round)])
              .count());
    }
  });
  for (int round = 0; round < samples; ++round) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ready_round == round; });
    }
    std::this_thread::sleep_for(std::chrono::microseconds(3000 + (round * 7919) % jitter_span_us));
    {
      std::lock_guard<std::mutex> lock(mu);
      sent_at[static_cast<size_t>(round)] = SteadyClock::now();
    }
    check(sender_side.SendMessage(queue, {.body = "ping"}).status(), "send");
  }
  receiver.join();
  return latencies_ms;
}

}  // namespace mlw::bench
