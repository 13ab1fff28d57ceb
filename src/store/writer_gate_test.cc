#include "store/writer_gate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace mlw::store {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kLong{60'000};

// Waits (up to a generous deadline) until `n` writers of `cls` are queued on the gate.
bool WaitForWaiting(WriterGate& gate, WriterClass cls, int n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (gate.Waiting(cls) != n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

class WriterGateTest : public testing::Test {
 protected:
  // Starts a writer that enters the gate, records `name`, and leaves.
  void Start(WriterClass cls, std::string name) {
    threads_.emplace_back([this, cls, name] {
      WriterGateLock lock(gate_, cls, kLong);
      ASSERT_TRUE(lock.held());
      std::lock_guard<std::mutex> g(order_mu_);
      order_.push_back(name);
    });
  }
  std::vector<std::string> Join() {
    for (auto& t : threads_) t.join();
    threads_.clear();
    return order_;
  }

  WriterGate gate_;
  std::vector<std::thread> threads_;
  std::mutex order_mu_;
  std::vector<std::string> order_;
};

TEST_F(WriterGateTest, UrgentWriterGoesBeforeNormalOnesAlreadyWaiting) {
  ASSERT_TRUE(gate_.Acquire(WriterClass::kNormal, kLong));
  Start(WriterClass::kNormal, "normal");
  ASSERT_TRUE(WaitForWaiting(gate_, WriterClass::kNormal, 1));
  Start(WriterClass::kUrgent, "urgent");
  ASSERT_TRUE(WaitForWaiting(gate_, WriterClass::kUrgent, 1));
  gate_.Release(WriterClass::kNormal);
  EXPECT_EQ(Join(), (std::vector<std::string>{"urgent", "normal"}));
}

TEST_F(WriterGateTest, AWaitingNormalWriterGetsTheTurnAfterEachUrgentOne) {
  ASSERT_TRUE(gate_.Acquire(WriterClass::kUrgent, kLong));
  Start(WriterClass::kNormal, "normal");
  ASSERT_TRUE(WaitForWaiting(gate_, WriterClass::kNormal, 1));
  Start(WriterClass::kUrgent, "urgent");
  ASSERT_TRUE(WaitForWaiting(gate_, WriterClass::kUrgent, 1));
  gate_.Release(WriterClass::kUrgent);
  EXPECT_EQ(Join(), (std::vector<std::string>{"normal", "urgent"}));
}

TEST_F(WriterGateTest, TimeoutLeavesTheGateAndUnblocksThoseItHeldBack) {
  ASSERT_TRUE(gate_.Acquire(WriterClass::kNormal, kLong));
  EXPECT_FALSE(gate_.Acquire(WriterClass::kUrgent, milliseconds(20)));
  EXPECT_EQ(gate_.Waiting(WriterClass::kUrgent), 0);
  Start(WriterClass::kNormal, "normal");
  ASSERT_TRUE(WaitForWaiting(gate_, WriterClass::kNormal, 1));
  gate_.Release(WriterClass::kNormal);
  EXPECT_EQ(Join(), (std::vector<std::string>{"normal"}));
  // Free again: either class enters at once.
  EXPECT_TRUE(gate_.Acquire(WriterClass::kUrgent, milliseconds(0)));
  gate_.Release(WriterClass::kUrgent);
  EXPECT_TRUE(gate_.Acquire(WriterClass::kNormal, milliseconds(0)));
  gate_.Release(WriterClass::kNormal);
}

TEST_F(WriterGateTest, OneWriterAtATimeUnderContention) {
  int inside = 0, max_inside = 0, entries = 0;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      const WriterClass cls = t == 0 ? WriterClass::kUrgent : WriterClass::kNormal;
      for (int i = 0; i < 500; ++i) {
        WriterGateLock lock(gate_, cls, kLong);
        ASSERT_TRUE(lock.held());
        ++inside;  // guarded by the gate itself
        max_inside = std::max(max_inside, inside);
        ++entries;
        --inside;
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(max_inside, 1);
  EXPECT_EQ(entries, 2000);
}

}  // namespace
}  // namespace mlw::store
