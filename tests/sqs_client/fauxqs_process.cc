#include "fauxqs_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/test_env.h"

extern char** environ;

namespace mlw::testing {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

std::string SourceDir() { return testenv::SourceDir(); }

}  // namespace

std::unique_ptr<Fauxqs> Fauxqs::Start(std::string* why_not) {
  std::string app = SourceDir() + "/.cache/npm/node_modules/fauxqs/dist/app.js";
  std::string launcher = SourceDir() + "/tests/sqs_client/fauxqs_loopback.mjs";
  if (!fs::exists(app)) {
    *why_not = "fauxqs is not installed (" + app + "); run scripts/install-fauxqs.sh";
    return nullptr;
  }
  auto f = std::unique_ptr<Fauxqs>(new Fauxqs);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    *why_not = "pipe failed";
    return nullptr;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<std::string> args = {"node", launcher, app};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawnp(&f->pid_, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  f->stdin_ = in[1];
  f->stdout_ = out[0];
  if (rc != 0) {
    f->pid_ = -1;
    *why_not = "cannot start node (is Node.js installed?)";
    return nullptr;
  }
  // Wait for "FAUXQS_PORT=<n>" with a deadline.
  std::string text;
  auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  while (SteadyClock::now() < deadline && text.find('\n') == std::string::npos) {
    pollfd p{f->stdout_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    ssize_t n = ::read(f->stdout_, buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  size_t at = text.find("FAUXQS_PORT=");
  if (at == std::string::npos) {
    *why_not = "fauxqs did not start: '" + text + "'";
    return nullptr;
  }
  f->port_ = std::stoi(text.substr(at + 12));
  return f;
}

Fauxqs::~Fauxqs() {
  if (stdin_ >= 0) ::close(stdin_);  // the launcher exits when its stdin closes
  if (stdout_ >= 0) ::close(stdout_);
  if (pid_ <= 0) return;
  auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  int status;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (SteadyClock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace mlw::testing
