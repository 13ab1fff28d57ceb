// Test helpers: a worker harness child process with its JSON-lines log captured in a file, a
// deadline-bounded condition wait, and a plain HTTP GET for the metrics listener. Tests only.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace mlw::worker::testing {

// Polls `condition` until it holds or `timeout` passes; returns whether it held. Polling every
// 20 ms is how the tests observe other processes (files and databases have no change feed).
inline bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class WorkerProcess {
 public:
  // Starts `binary` with the current environment plus `env`, stdout and stderr to `log_path`.
  WorkerProcess(const std::string& binary, const std::map<std::string, std::string>& env,
                std::string log_path)
      : log_path_(std::move(log_path)) {
    std::map<std::string, std::string> merged;
    for (char** p = environ; p && *p; ++p) {
      std::string kv = *p;
      auto eq = kv.find('=');
      if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) merged[k] = v;
    std::vector<std::string> storage;
    for (const auto& [k, v] : merged) storage.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<char*> argv = {const_cast<char*>(binary.c_str()), nullptr};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid_ = -1;
  }
  ~WorkerProcess() {
    if (running()) {
      Signal(SIGKILL);
      WaitExit(std::chrono::seconds(10));
    }
  }
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exited_; }
  void Signal(int signo) {
    if (running()) kill(pid_, signo);
  }
  // The raw wait status once the child exited within `timeout`.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout) {
    if (exited_) return status_;
    if (pid_ <= 0) return std::nullopt;
    bool done = WaitFor(
        [&] {
          int st = 0;
          pid_t r = waitpid(pid_, &st, WNOHANG);
          if (r == pid_) {
            exited_ = true;
            status_ = st;
          }
          return exited_;
        },
        timeout);
    if (!done) return std::nullopt;
    return status_;
  }

  // Every parsed log line so far (lines that are not JSON are skipped).
  std::vector<nlohmann::json> Logs() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(log_path_);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object()) out.push_back(std::move(j));
    }
    return out;
  }
  std::vector<nlohmann::json> Events(const std::string& event) const {
    std::vector<nlohmann::json> out;
    for (auto& j : Logs()) {
      if (j.value("event", "") == event) out.push_back(std::move(j));
    }
    return out;
  }
  bool WaitForEvent(const std::string& event, std::chrono::milliseconds timeout, size_t count = 1) {
    return WaitFor([&] { return Events(event).size() >= count; }, timeout);
  }
  std::string RawLog() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

// GET http://127.0.0.1:<port><path>; returns the whole response (status line, headers, body).
inline std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};  // a hung listener fails the test instead of hanging it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return "";
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

}  // namespace mlw::worker::testing
