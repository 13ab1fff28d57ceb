// A throwaway PostgreSQL 15 cluster for tests: initdb in a temporary directory, a server on a free
// loopback port (fsync off), fresh databases on demand, and an immediate stop at process exit.
//
// Binaries come from $MLW_PG_BIN, else /usr/lib/postgresql/15/bin (Debian's postgresql package,
// installed by scripts/install-deps.sh). initdb refuses to run as root, so as root every server
// command runs as the `postgres` OS user (runuser), with the directory chowned to it.
//
// Thread-safety: Shared() is thread-safe; the cluster's methods are meant for the test thread.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace mlw::pgtest {

class PgTestCluster {
 public:
  // The process-wide cluster, started on first use and stopped at exit. nullptr when it cannot
  // run here; *why_not then says why (for GTEST_SKIP), e.g. "PostgreSQL binaries not found".
  static PgTestCluster* Shared(std::string* why_not);

  // Creates an empty database and returns its URL: postgresql://postgres@127.0.0.1:<port>/<name>.
  Result<std::string> CreateDatabase();
  // The URL of an existing database `name`.
  std::string Url(const std::string& name) const;
  int port() const { return port_; }

  // pg_ctl restart (fast shutdown, then start with the same options): every open connection is
  // closed by the server. Returns once the server accepts connections again.
  Status Restart();
  // Stops the server (immediate) and, with Start(), brings it back: for outage tests.
  Status Stop();
  Status Start();

  ~PgTestCluster();

 private:
  PgTestCluster() = default;
  Status Init(std::string* why_not);

  std::string bin_;
  std::string dir_;  // the temporary directory holding data/ and the socket
  std::string data_dir_;
  std::string log_file_;
  bool as_postgres_user_ = false;
  bool running_ = false;
  int port_ = 0;
  int next_db_ = 0;
};

// Runs argv (argv[0] looked up in PATH), waits, and returns its exit status; output is appended to
// `log_file` when given, else discarded.
int RunCommand(const std::vector<std::string>& argv, const std::string& log_file = "");

}  // namespace mlw::pgtest
