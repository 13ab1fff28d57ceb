#include "store/writer_gate.h"

namespace mlw::store {

bool WriterGate::MayEnter(WriterClass cls) const {
  if (held_) return false;
  if (cls == WriterClass::kUrgent) return !(normal_turn_ && normal_waiting_ > 0);
  return urgent_waiting_ == 0 || normal_turn_;
}

bool WriterGate::Acquire(WriterClass cls, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(mu_);
  int& waiting = cls == WriterClass::kUrgent ? urgent_waiting_ : normal_waiting_;
  ++waiting;
  const bool entered = cv_.wait_until(lock, deadline, [&] { return MayEnter(cls); });
  --waiting;
  if (entered) {
    held_ = true;
    if (cls == WriterClass::kNormal) normal_turn_ = false;
  } else {
    // Whoever this waiter was holding back may go now.
    cv_.notify_all();
  }
  return entered;
}

void WriterGate::Release(WriterClass cls) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
    if (cls == WriterClass::kUrgent && normal_waiting_ > 0) normal_turn_ = true;
  }
  cv_.notify_all();
}

int WriterGate::Waiting(WriterClass cls) {
  std::lock_guard<std::mutex> lock(mu_);
  return cls == WriterClass::kUrgent ? urgent_waiting_ : normal_waiting_;
}

}  // namespace mlw::store
