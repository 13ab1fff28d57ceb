#include "queue/sqs_server_long_poll.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "core/log.h"

namespace mlw::queue {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct Poll {
  std::string queue;
  ReceiveOptions options;
  sqs::ReceiveWaiter::Done done;
  std::unique_ptr<asio::steady_timer> deadline_timer;
  bool finished = false;  // answered or about to be; guarded by Impl::mu
  bool busy = false;      // a receive for it is running; guarded by Impl::mu
  bool expired = false;   // its deadline passed while busy; guarded by Impl::mu
};

struct Waiters {
  std::deque<std::shared_ptr<Poll>> polls;
  bool draining = false;  // a Drain task for this queue is queued or running
  bool again = false;     // an announcement arrived during the drain
};

// A poll answered outside the lock.
struct Answer {
  std::shared_ptr<Poll> poll;
  Result<std::vector<Message>> result;
};

}  // namespace

struct LongPollRegistry::Impl : std::enable_shared_from_this<LongPollRegistry::Impl> {
  explicit Impl(QueueService* s, int threads)
      : service(s), pool(std::max(1, threads)), tick(pool) {}

  QueueService* service;
  asio::thread_pool pool;  // first member: destroyed last, after the timers that use it
  asio::steady_timer tick;
  uint64_t listener_id = 0;

  mutable std::mutex mu;
  bool shut_down = false;                 // guarded by mu
  std::map<std::string, Waiters> queues;  // guarded by mu
  size_t parked = 0;                      // guarded by mu

  // Marks `poll` finished, removes it and stops its timer. REQUIRES: mu held.
  void FinishLocked(const std::shared_ptr<Poll>& poll) {
    poll->finished = true;
    poll->deadline_timer->cancel();
    --parked;
    auto it = queues.find(poll->queue);
    if (it == queues.end()) return;
    auto& polls = it->second.polls;
    polls.erase(std::remove(polls.begin(), polls.end(), poll), polls.end());
  }

  static void Deliver(std::vector<Answer>& answers) {
    for (Answer& a : answers) a.poll->done(std::move(a.result));
  }

  // Schedules a drain of `queue` if somebody waits there.
  void Kick(const std::string& queue) {
    std::lock_guard<std::mutex> lock(mu);
    KickLocked(queue);
  }

  void KickLocked(const std::string& queue) {
    auto it = queues.find(queue);
    if (shut_down || it == queues.end() || it->second.polls.empty()) return;
    if (it->second.draining) {
      it->second.again = true;
      return;
    }
    it->second.draining = true;
    asio::post(pool, [self = shared_from_this(), queue] { self->Drain(queue); });
  }

  // Offers the queue's available messages to its parked polls in arrival order.
  void Drain(const std::string& queue) {
    while (true) {
      std::shared_ptr<Poll> poll;
      {
        std::lock_guard<std::mutex> lock(mu);
        auto it = queues.find(queue);
        if (it == queues.end()) return;
        Waiters& w = it->second;
        if (shut_down || w.polls.empty()) {
          queues.erase(it);
          return;
        }
        w.again = false;
        poll = w.polls.front();
        poll->busy = true;
      }
      Result<std::vector<Message>> result = service->ReceiveMessage(queue, poll->options);
      bool got = result.ok() && !result->empty();
      std::vector<Answer> answers;
      bool stop = false;
      {
        std::lock_guard<std::mutex> lock(mu);
        poll->busy = false;
        if (poll->finished) {
          // Answered by Shutdown meanwhile; received messages return after their visibility
          // timeout.
        } else if (got || !result.ok() || poll->expired) {
          FinishLocked(poll);
          answers.push_back(Answer{poll, std::move(result)});
        }
        if (!got && result.ok()) {  // the queue is empty for now; errors move on to the next poll
          auto it = queues.find(queue);
          if (it != queues.end() && it->second.again && !shut_down) {
            it->second.again = false;  // announced during the receive: look once more
          } else {
            if (it != queues.end()) {
              it->second.draining = false;
              if (it->second.polls.empty()) queues.erase(it);
            }
            stop = true;
          }
        }
      }
      Deliver(answers);
      if (stop) return;
    }
  }

  void OnDeadline(const std::shared_ptr<Poll>& poll) {
    std::vector<Answer> answers;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (poll->finished) return;
      if (poll->busy) {
        poll->expired = true;  // the running receive answers it
        return;
      }
      FinishLocked(poll);
      answers.push_back(Answer{poll, std::vector<Message>()});
      auto it = queues.find(poll->queue);
      if (it != queues.end() && it->second.polls.empty() && !it->second.draining) queues.erase(it);
    }
    Deliver(answers);
  }

  void ArmTick() {
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      std::lock_guard<std::mutex> lock(self->mu);
      if (self->shut_down) return;
      for (auto& [queue, waiters] : self->queues) self->KickLocked(queue);
      self->ArmTick();
    });
  }
};

LongPollRegistry::LongPollRegistry(QueueService* service, int threads)
    : impl_(std::make_shared<Impl>(service, threads)) {
  std::weak_ptr<Impl> weak = impl_;
  impl_->listener_id = service->AddAvailabilityListener([weak](const std::string& queue) {
    if (auto impl = weak.lock()) impl->Kick(queue);
  });
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->ArmTick();
}

LongPollRegistry::~LongPollRegistry() { Join(); }

void LongPollRegistry::WaitForMessages(const std::string& queue, const ReceiveOptions& options,
                                       std::chrono::steady_clock::time_point deadline, Done done) {
  auto poll = std::make_shared<Poll>();
  poll->queue = queue;
  poll->options = options;
  poll->done = std::move(done);
  poll->deadline_timer = std::make_unique<asio::steady_timer>(impl_->pool, deadline);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->shut_down) {
      std::weak_ptr<Impl> weak = impl_;
      poll->deadline_timer->async_wait([weak, poll](boost::system::error_code ec) {
        if (ec) return;
        if (auto impl = weak.lock()) impl->OnDeadline(poll);
      });
      impl_->queues[queue].polls.push_back(poll);
      ++impl_->parked;
      // A message sent between the caller's empty receive and now was announced to nobody.
      impl_->KickLocked(queue);
      return;
    }
  }
  poll->done(std::vector<Message>());
}

void LongPollRegistry::Post(std::function<void()> task) {
  asio::post(impl_->pool, std::move(task));
}

void LongPollRegistry::Shutdown() {
  std::vector<Answer> answers;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->shut_down) return;
    impl_->shut_down = true;
    impl_->tick.cancel();
    for (auto& [queue, waiters] : impl_->queues) {
      for (auto& poll : waiters.polls) {
        poll->finished = true;
        poll->deadline_timer->cancel();
        answers.push_back(Answer{poll, std::vector<Message>()});
      }
    }
    impl_->queues.clear();
    impl_->parked = 0;
  }
  impl_->service->RemoveAvailabilityListener(impl_->listener_id);
  Impl::Deliver(answers);
}

void LongPollRegistry::Join() {
  Shutdown();
  impl_->pool.join();
}

size_t LongPollRegistry::parked() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->parked;
}

}  // namespace mlw::queue
