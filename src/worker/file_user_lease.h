// Per-user leases as open-file-description locks (fcntl F_OFD_SETLK) on one byte per user id of a
// lease file, for workers on one machine sharing an embedded SQLite database (SQLite itself is
// single-machine). Taking a lease is one system call and no disk write, dropping a batch of them
// usually one call in all, which is what keeps the runtime's overhead per message small; and the
// kernel drops a process's locks when it dies, so a killed worker's users are free again at once
// instead of after a lease timeout.
//
// Within one process all leases share one open file description, whose locks never conflict with
// each other: exclusion between owners of the same process is kept in memory. Another process (or
// another FileUserLeases on the same file, which has its own description) is excluded by the
// kernel. Leases do not expire: `ttl_seconds` is ignored and Renew() only reports whether the owner
// still holds its lease; a lease lasts until Release() or the end of the process.
//
// Thread-safety: safe to call from many threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "worker/user_lease.h"

namespace mlw::worker {

class FileUserLeases final : public UserLeases {
 public:
  // Opens (creating, mode 0600) the lease file at `path`.
  static Result<std::unique_ptr<FileUserLeases>> Open(const std::string& path);
  ~FileUserLeases() override;
  FileUserLeases(const FileUserLeases&) = delete;
  FileUserLeases& operator=(const FileUserLeases&) = delete;

  Result<std::vector<bool>> TryAcquire(const std::vector<LeaseRequest>& requests,
                                       int ttl_seconds) override;
  Result<std::vector<bool>> Renew(const std::vector<LeaseRequest>& requests,
                                  int ttl_seconds) override;
  Status Release(const std::vector<LeaseRequest>& requests) override;

  const std::string& path() const { return path_; }

 private:
  FileUserLeases(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  // One fcntl lock or unlock of user `user_id`'s byte; false when another description holds it.
  Result<bool> Lock(int64_t user_id, short type);
  // The same for the bytes of users first..last in one call. REQUIRES: 0 < first <= last.
  Result<bool> LockRange(int64_t first, int64_t last, short type);

  const std::string path_;
  const int fd_;
  std::mutex mu_;
  std::map<int64_t, std::string> owners_;  // GUARDED_BY(mu_): leases this object holds
};

}  // namespace mlw::worker
