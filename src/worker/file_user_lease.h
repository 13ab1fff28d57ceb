// Per-user leases as open-file-description locks (fcntl F_OFD_SETLK) on one byte per user id of a
// lease file, for workers on one machine sharing an embedded SQLite database (SQLite itself is
// single-machine). No disk writes, and the kernel drops a process's locks when it dies, so a killed
// worker's users are free again at once instead of after a lease timeout.
//
// Within one process all leases share one open file description, whose locks never conflict with
// each other: exclusion between owners of the same process is kept in memory. Another process (or
// another FileUserLeases on the same file, which has its own description) is excluded by the
// kernel. Leases do not expire: `ttl_seconds` is ignored and Renew() only reports whether the owner
// still holds its lease; a lease lasts until Release() or the end of the process.
//
// System calls cost about as much as the rest of the worker's work for a message, so they are
// spared where exclusion allows. A gate file beside the lease file (`<path>.gate`) holds two bytes:
//  - presence: every FileUserLeases holds a read lock on it from Open() on;
//  - gate: whoever locks user bytes holds a read lock on it ("shared" mode).
// An object that finds no other presence takes the gate for writing instead ("solo" mode): no
// other description can then hold or take any user byte, so its leases are kept in memory alone,
// with no system call per user. A solo object looks for other presence at every TryAcquire(),
// Renew() (the heartbeats of long jobs) and Release() that leaves it leases, and leaves solo mode
// when it sees one (it locks its users' bytes, then lowers the gate to a read
// lock), and drops the gate when its last lease is released, so an idle solo process never keeps
// a newcomer out. Until then a newcomer's requests are all refused, as for users held elsewhere:
// the worker waits and retries, as it does for a busy user. In shared mode a lease is one system
// call and a batch's releases usually one in all (see Release). Every process sharing a lease file
// must follow this protocol (this version or later).
//
// Thread-safety: safe to call from many threads.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "worker/user_lease.h"

namespace mlw::worker {

class FileUserLeases final : public UserLeases {
 public:
  // Opens (creating, mode 0600) the lease file at `path` and its gate file `<path>.gate`.
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
  // kNone: no gate lock, no leases. kShared: gate read-locked, every lease's byte locked.
  // kSolo: gate write-locked, leases in memory only.
  enum class Mode { kNone, kShared, kSolo };

  FileUserLeases(std::string path, int fd, int gate_fd)
      : path_(std::move(path)), fd_(fd), gate_fd_(gate_fd) {}
  // One fcntl lock or unlock of bytes first..last of `fd` in one call; false when another
  // description holds one of them. REQUIRES: 0 <= first <= last.
  Result<bool> LockBytes(int fd, int64_t first, int64_t last, short type);
  // Whether another description holds the presence lock.
  Result<bool> OthersPresent();
  // Brings the mode to one in which leases can be taken; false when another object is solo.
  Result<bool> EnterModeLocked();  // REQUIRES: mu_ held
  Result<bool> TrySoloLocked();    // REQUIRES: mu_ held, mode_ kNone or kShared
  Status ShareLocked();
  // Drops the gate. REQUIRES: mu_ held, mode_ kSolo, no lease held.
  Status LeaveSoloLocked();  // REQUIRES: mu_ held, mode_ kSolo
  // ShareLocked() when solo and another object is present; otherwise nothing.
  Status ShareIfOthersPresentLocked();  // REQUIRES: mu_ held

  const std::string path_;
  const int fd_;
  const int gate_fd_;
  std::mutex mu_;
  // The leases this object holds, sorted by user; a sorted vector, and the owner strings of
  // released leases kept for their capacity, so that taking and dropping a lease allocates
  // nothing once the first few batches have run.
  using OwnerEntry = std::pair<int64_t, std::string>;
  std::vector<OwnerEntry>::iterator FindOwnerLocked(int64_t user);  // end() if not held
  void AddOwnerLocked(int64_t user, const std::string& owner);      // REQUIRES: not held
  void EraseOwnerLocked(std::vector<OwnerEntry>::iterator it);      // REQUIRES: a held entry
  std::vector<OwnerEntry> owners_;                                  // GUARDED_BY(mu_)
  std::vector<std::string> spare_;                                  // GUARDED_BY(mu_)
  Mode mode_ = Mode::kNone;                                         // GUARDED_BY(mu_)
  // GUARDED_BY(mu_): when shared mode last tried to become solo (at most once a second: it fails
  // for as long as another process shares the file).
  std::chrono::steady_clock::time_point last_solo_try_{};
};

}  // namespace mlw::worker
