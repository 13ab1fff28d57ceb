// A fauxqs child process (an independent SQS-compatible server from npm) bound to 127.0.0.1,
// for end-to-end tests. Start() returns null with the reason when fauxqs is not installed
// (scripts/install-fauxqs.sh) or does not come up within 30 s. For tests only.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace mlw::testing {

class Fauxqs {
 public:
  static std::unique_ptr<Fauxqs> Start(std::string* why_not);
  ~Fauxqs();
  Fauxqs(const Fauxqs&) = delete;
  Fauxqs& operator=(const Fauxqs&) = delete;

  // http://127.0.0.1:<port>
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  Fauxqs() = default;
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1;
  int port_ = 0;
};

}  // namespace mlw::testing
