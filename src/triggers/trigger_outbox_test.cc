#include "triggers/trigger_outbox.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "queue/queue_factory.h"
#include "store/test_util.h"

namespace mlw::triggers {
namespace {

class TriggerOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::testing::OpenMigrated(dir_);
    queue::QueueFactoryOptions qo;
    qo.clock = &clock_;
    auto q = queue::OpenQueueService("sqlite://" + dir_.path() + "/queue.db", qo);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(q->service);
    ASSERT_TRUE(queue_->CreateQueue("ml-worker", {}).ok());
    outbox_ = std::make_unique<TriggerOutbox>(*db_, *queue_, clock_, OutboxOptions{});
  }

  // Records a trigger in its own transaction, as ingest does; returns whether it was new.
  bool Record(int64_t user, const std::string& type) {
    bool created = false;
    Status s = db_->InTransaction([&](store::Connection& tx) -> Status {
      MLW_ASSIGN_OR_RETURN(created, TriggerOutbox::Record(tx, user, type, clock_.NowMicros()));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return created;
  }

  std::vector<nlohmann::json> DrainQueue() {
    std::vector<nlohmann::json> bodies;
    for (;;) {
      queue::ReceiveOptions ro;
      ro.max_messages = 10;
      ro.wait_seconds = 0;
      auto got = queue_->ReceiveMessage("ml-worker", ro);
      EXPECT_TRUE(got.ok());
      if (!got.ok() || got->empty()) break;
      for (const auto& m : *got) {
        bodies.push_back(nlohmann::json::parse(m.body));
        EXPECT_TRUE(queue_->DeleteMessage("ml-worker", m.receipt_handle).ok());
      }
    }
    return bodies;
  }

  store::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<queue::QueueService> queue_;
  std::unique_ptr<TriggerOutbox> outbox_;
};

TEST_F(TriggerOutboxTest, ManyUploadsCoalesceIntoOneTriggerPerUserAndJobType) {
  EXPECT_TRUE(Record(7, "process_pending_vitals"));
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(Record(7, "process_pending_vitals"));
  EXPECT_TRUE(Record(7, "process_pending_labs"));
  EXPECT_TRUE(Record(8, "process_pending_vitals"));
  auto sent = outbox_->Relay();
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 3);
  auto bodies = DrainQueue();
  ASSERT_EQ(bodies.size(), 3u);
  for (const auto& b : bodies) {
    EXPECT_TRUE(b["user_id"].is_number_integer());
    EXPECT_EQ(b["priority"], "normal");
  }
  // Sent but not consumed: still coalescing, nothing sent again.
  EXPECT_FALSE(Record(7, "process_pending_vitals"));
  EXPECT_EQ(*outbox_->Relay(), 0);
}

TEST_F(TriggerOutboxTest, DelayedTriggerWaitsInTheQueueAndKeepsCoalescing) {
  OutboxOptions options;
  options.delay_seconds = 3;
  TriggerOutbox delayed(*db_, *queue_, clock_, options);
  EXPECT_TRUE(Record(7, "process_pending_vitals"));
  ASSERT_EQ(*delayed.Relay(), 1);
  EXPECT_TRUE(DrainQueue().empty());                  // not visible before its delay is over
  EXPECT_FALSE(Record(7, "process_pending_vitals"));  // the waiting trigger covers this upload
  EXPECT_EQ(*delayed.Relay(), 0);
  clock_.AdvanceSeconds(3);
  auto bodies = DrainQueue();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0]["user_id"], 7);
}

TEST_F(TriggerOutboxTest, TriggerAfterARecentRunWaitsForTheMinimumInterval) {
  OutboxOptions options;
  options.delay_seconds = 1;
  options.min_run_interval_seconds = 5;
  TriggerOutbox throttled(*db_, *queue_, clock_, options);
  // User 7 never ran: the trigger waits only the delay.
  EXPECT_TRUE(Record(7, "process_pending_vitals"));
  ASSERT_EQ(*throttled.Relay(), 1);
  clock_.AdvanceSeconds(1);
  ASSERT_EQ(DrainQueue().size(), 1u);
  // Its run starts; an upload two seconds later waits until five seconds after that start.
  ASSERT_TRUE(TriggerOutbox::Consume(*db_, 7, "process_pending_vitals", clock_.NowMicros()).ok());
  clock_.AdvanceSeconds(2);
  EXPECT_TRUE(Record(7, "process_pending_vitals"));
  EXPECT_TRUE(Record(8, "process_pending_vitals"));  // another user is not held back
  ASSERT_EQ(*throttled.Relay(), 2);
  clock_.AdvanceSeconds(1);
  auto first = DrainQueue();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["user_id"], 8);
  clock_.AdvanceSeconds(1);
  EXPECT_TRUE(DrainQueue().empty());                  // 4 s after the run started
  EXPECT_FALSE(Record(7, "process_pending_vitals"));  // still coalescing meanwhile
  clock_.AdvanceSeconds(1);
  auto second = DrainQueue();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]["user_id"], 7);
  // Long after a run only the delay applies again.
  ASSERT_TRUE(TriggerOutbox::Consume(*db_, 7, "process_pending_vitals", clock_.NowMicros()).ok());
  clock_.AdvanceSeconds(60);
  EXPECT_TRUE(Record(7, "process_pending_vitals"));
  ASSERT_EQ(*throttled.Relay(), 1);
  EXPECT_TRUE(DrainQueue().empty());
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(DrainQueue().size(), 1u);
}

TEST_F(TriggerOutboxTest, EveryTriggerOfAPassIsMarkedSentAcrossBatches) {
  for (int user = 1; user <= 25; ++user) EXPECT_TRUE(Record(user, "process_pending_vitals"));
  EXPECT_EQ(*outbox_->UnsentCount(), 25);
  EXPECT_EQ(*outbox_->Relay(), 25);
  EXPECT_EQ(*outbox_->UnsentCount(), 0);
  EXPECT_EQ(*outbox_->Relay(), 0);
  EXPECT_EQ(DrainQueue().size(), 25u);
}

TEST_F(TriggerOutboxTest, ConsumedTriggerLetsTheNextUploadRecordANewOne) {
  ASSERT_TRUE(Record(7, "process_pending_vitals"));
  ASSERT_EQ(*outbox_->Relay(), 1);
  ASSERT_TRUE(TriggerOutbox::Consume(*db_, 7, "process_pending_vitals", clock_.NowMicros()).ok());
  EXPECT_TRUE(Record(7, "process_pending_vitals"));
  EXPECT_EQ(*outbox_->UnsentCount(), 1);
  EXPECT_EQ(*outbox_->Relay(), 1);
  EXPECT_EQ(DrainQueue().size(), 2u);
}

TEST_F(TriggerOutboxTest, ConsumeInsideATransactionCommitsOrRollsBackWithIt) {
  ASSERT_TRUE(Record(7, "process_pending_vitals"));
  Status failed = db_->InTransaction([this](store::Connection& tx) -> Status {
    MLW_RETURN_IF_ERROR(
        TriggerOutbox::Consume(tx, 7, "process_pending_vitals", clock_.NowMicros()));
    return Unavailable("claim failed");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(Record(7, "process_pending_vitals"));  // still pending: the consume rolled back
  ASSERT_TRUE(db_->InTransaction([this](store::Connection& tx) {
                   return TriggerOutbox::Consume(tx, 7, "process_pending_vitals",
                                                 clock_.NowMicros());
                 })
                  .ok());
  EXPECT_TRUE(Record(7, "process_pending_vitals"));
}

TEST_F(TriggerOutboxTest, RolledBackIngestLeavesNoTrigger) {
  Status s = db_->InTransaction([&](store::Connection& tx) -> Status {
    MLW_RETURN_IF_ERROR(TriggerOutbox::Record(tx, 9, "process_pending_vitals", 1).status());
    return InvalidArgument("batch rejected");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*outbox_->UnsentCount(), 0);
  EXPECT_EQ(*outbox_->Relay(), 0);
}

TEST_F(TriggerOutboxTest, UnsentTriggerSurvivesARestartOfTheRelay) {
  // Commit happened, the process died before sending: a new outbox over the same files sends it.
  ASSERT_TRUE(Record(11, "process_pending_nutrition"));
  outbox_.reset();
  TriggerOutbox fresh(*db_, *queue_, clock_, OutboxOptions{});
  EXPECT_EQ(*fresh.Relay(), 1);
  auto bodies = DrainQueue();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0]["user_id"], 11);
  EXPECT_EQ(bodies[0]["job_type"], "process_pending_nutrition");
}

TEST_F(TriggerOutboxTest, StaleSentTriggerIsSentAgain) {
  ASSERT_TRUE(Record(5, "process_pending_vitals"));
  ASSERT_EQ(*outbox_->Relay(), 1);
  EXPECT_EQ(DrainQueue().size(), 1u);  // the message is gone, the trigger never consumed
  clock_.AdvanceSeconds(OutboxOptions{}.resend_after_seconds + 1);
  EXPECT_EQ(*outbox_->Relay(), 1);
  EXPECT_EQ(DrainQueue().size(), 1u);
}

}  // namespace
}  // namespace mlw::triggers
