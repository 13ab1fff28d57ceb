#include "pg_test_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "queue/postgres_queue_conn.h"
#include "queue/postgres_queue_url.h"

namespace mlw::pgtest {
namespace fs = std::filesystem;

int RunCommand(const std::vector<std::string>& argv, const std::string& log_file) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = log_file.empty() ? open("/dev/null", O_WRONLY)
                              : open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

namespace {

// A port free right now on 127.0.0.1 (bound to port 0, then released); the caller retries on
// the rare race with another process.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

PgTestCluster* PgTestCluster::Shared(std::string* why_not) {
  static std::mutex mu;
  static std::unique_ptr<PgTestCluster> cluster;
  static std::string failure;
  static bool tried = false;
  std::lock_guard<std::mutex> lock(mu);
  if (!tried) {
    tried = true;
    std::unique_ptr<PgTestCluster> c(new PgTestCluster);
    Status s = c->Init(&failure);
    if (s.ok()) {
      cluster = std::move(c);
    } else if (failure.empty()) {
      failure = s.ToString();
    }
  }
  if (cluster == nullptr && why_not != nullptr) *why_not = failure;
  return cluster.get();
}

Status PgTestCluster::Init(std::string* why_not) {
  const char* env_bin = std::getenv("MLW_PG_BIN");
  bin_ = env_bin && *env_bin ? env_bin : "/usr/lib/postgresql/15/bin";
  if (!fs::exists(bin_ + "/initdb") || !fs::exists(bin_ + "/pg_ctl")) {
    *why_not = "PostgreSQL binaries not found in " + bin_ +
               " (run scripts/install-deps.sh, or set MLW_PG_BIN)";
    return FailedPrecondition(*why_not);
  }
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/mlw-pg-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return Internal("mkdtemp failed");
  dir_ = tmpl;
  data_dir_ = dir_ + "/data";
  log_file_ = dir_ + "/server.log";
  if (geteuid() == 0) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      *why_not = "running as root and there is no 'postgres' OS user to run initdb as";
      return FailedPrecondition(*why_not);
    }
    as_postgres_user_ = true;
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return Internal("chown failed");
  }
  auto cmd = [&](std::vector<std::string> argv) {
    if (as_postgres_user_) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    return argv;
  };
  if (RunCommand(cmd({bin_ + "/initdb", "-D", data_dir_, "-U", "postgres", "--auth=trust", "-E",
                      "UTF8", "--locale=C", "-N"}),
                 as_postgres_user_ ? "" : log_file_) != 0) {
    return Internal("initdb failed in " + dir_);
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    if (Start().ok()) break;
  }
  if (!running_) {
    return Internal("pg_ctl start failed; server log:\n" + ReadFile(log_file_));
  }
  return Status::Ok();
}

std::string PgTestCluster::Url(const std::string& name) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

Result<std::string> PgTestCluster::CreateDatabase() {
  MLW_ASSIGN_OR_RETURN(pg::PgUrl url, pg::ParsePostgresUrl(Url("postgres")));
  MLW_ASSIGN_OR_RETURN(std::unique_ptr<pg::PgConnection> conn, pg::PgConnection::Connect(url));
  // The name is a counter of this process, never outside input.
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(next_db_++);
  MLW_RETURN_IF_ERROR(conn->ExecScript("CREATE DATABASE " + name));
  return Url(name);
}

Status PgTestCluster::Restart() {
  std::vector<std::string> argv = {bin_ + "/pg_ctl", "-D", data_dir_, "-m", "fast",   "-l",
                                   log_file_,        "-w", "-t",      "60", "restart"};
  if (as_postgres_user_) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  if (RunCommand(argv) != 0) return Internal("pg_ctl restart failed:\n" + ReadFile(log_file_));
  return Status::Ok();
}

Status PgTestCluster::Stop() {
  std::vector<std::string> argv = {bin_ + "/pg_ctl", "-D", data_dir_, "-m",
                                   "immediate",      "-w", "stop"};
  if (as_postgres_user_) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  if (RunCommand(argv) != 0) return Internal("pg_ctl stop failed");
  running_ = false;
  return Status::Ok();
}

Status PgTestCluster::Start() {
  // fsync off: the cluster is thrown away and only its processes are killed (never the OS), so
  // commits written to the kernel survive. synchronous_commit stays on: an immediate stop must
  // not lose a commit that was acknowledged.
  std::string options = "-k " + dir_ + " -p " + std::to_string(port_) +
                        " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
                        " -c max_connections=300";
  std::vector<std::string> argv = {bin_ + "/pg_ctl", "-D", data_dir_, "-o", options, "-l",
                                   log_file_,        "-w", "-t",      "60", "start"};
  if (as_postgres_user_) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  if (RunCommand(argv) != 0) return Internal("pg_ctl start failed:\n" + ReadFile(log_file_));
  running_ = true;
  return Status::Ok();
}

PgTestCluster::~PgTestCluster() {
  if (running_) (void)Stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace mlw::pgtest
