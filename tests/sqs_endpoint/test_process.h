// Test helpers for driving real processes: a temporary directory, a child process with its output
// captured, and `mlworker serve` on a free loopback port.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlw::testing {

// Polls `condition` until it holds or `timeout` passes; returns its final value.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed at the deadline
  std::string output;  // stdout and stderr interleaved
};

// Runs argv[0] (searched in PATH) with `extra_env` ("NAME=value") added; kills it after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                         const std::vector<std::string>& extra_env = {});

// True when `program` is found in PATH (or is an executable path).
bool HaveProgram(const std::string& program);

// `mlworker serve` as a child process on 127.0.0.1 with an ephemeral port. Its stderr (the JSON
// log) goes to <data_dir>/serve.log.
class ServeProcess {
 public:
  ServeProcess() = default;
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  ~ServeProcess();

  // Starts the binary at $MLW_BINARY and waits until it printed its address. Returns false (and
  // fills `error`) when that does not happen within 20 s.
  bool Start(const std::string& data_dir, const std::vector<std::string>& extra_args,
             std::string* error);
  uint16_t port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // SIGKILL, no cleanup: what a crash looks like.
  void Kill9();
  // SIGTERM and wait for a clean exit; returns the exit status (or -1).
  int Terminate();

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace mlw::testing
