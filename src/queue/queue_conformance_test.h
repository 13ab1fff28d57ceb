// The backend-agnostic QueueService conformance suite (queue_conformance_test.cc). A backend runs
// it by linking that file and instantiating the suite with a factory of fresh test backends:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, QueueConformanceTest,
//                            ::testing::Values(QueueBackendParam{"sqlite", MakeSqliteBackend}),
//                            QueueBackendName);
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "queue/queue.h"

namespace mlw::queue::testing {

// One isolated storage (a file, a database schema) that services can be opened on.
class QueueTestBackend {
 public:
  virtual ~QueueTestBackend() = default;
  // Opens a service on this storage. Several may be open at once and must then behave as services
  // in separate processes sharing the storage.
  virtual std::unique_ptr<QueueService> Open(const Clock& clock) = 0;
};

struct QueueBackendParam {
  std::string name;
  // Makes a backend on fresh, empty storage; nullptr to skip (e.g. no server available).
  std::function<std::unique_ptr<QueueTestBackend>()> make;
};

inline void PrintTo(const QueueBackendParam& param, std::ostream* os) { *os << param.name; }

inline std::string QueueBackendName(const ::testing::TestParamInfo<QueueBackendParam>& info) {
  return info.param.name;
}

class QueueConformanceTest : public ::testing::TestWithParam<QueueBackendParam> {
 protected:
  void SetUp() override;

  // Creates `name` with `attributes`, failing the test on error.
  void MakeQueue(const std::string& name, const QueueAttributes& attributes = {});
  // Sends one message and returns its message id.
  std::string Send(const std::string& queue, const std::string& body, SendEntry entry = {});
  // Receives with no wait; `visibility` < 0 means the queue's default.
  std::vector<Message> Receive(const std::string& queue, int max = 10, int visibility = -1);
  // One Approximate* counter (or other attribute) as an integer.
  int64_t Attribute(const std::string& queue, const std::string& name);

  ManualClock clock_;
  std::unique_ptr<QueueTestBackend> backend_;
  std::unique_ptr<QueueService> service_;
};

}  // namespace mlw::queue::testing
