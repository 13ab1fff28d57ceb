#include "worker/file_user_lease.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mlw::worker {
namespace {

// Bytes of the gate file (see the header).
constexpr int64_t kPresenceByte = 0;
constexpr int64_t kGateByte = 1;
constexpr auto kSoloRetry = std::chrono::seconds(1);

}  // namespace

Result<std::unique_ptr<FileUserLeases>> FileUserLeases::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable("cannot open the lease file '" + path + "': " + std::strerror(errno));
  }
  const std::string gate_path = path + ".gate";
  const int gate_fd = ::open(gate_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (gate_fd < 0) {
    const int error = errno;
    ::close(fd);
    return Unavailable("cannot open the lease gate file '" + gate_path +
                       "': " + std::strerror(error));
  }
  std::unique_ptr<FileUserLeases> leases(new FileUserLeases(path, fd, gate_fd));
  // Read locks never conflict with read locks, and nobody write-locks this byte.
  MLW_ASSIGN_OR_RETURN(bool present,
                       leases->LockBytes(gate_fd, kPresenceByte, kPresenceByte, F_RDLCK));
  if (!present)
    return Unavailable("lease gate file '" + gate_path + "' is locked by another program");
  return leases;
}

FileUserLeases::~FileUserLeases() {  // drops every lock this object holds
  ::close(fd_);
  ::close(gate_fd_);
}

Result<bool> FileUserLeases::LockBytes(int fd, int64_t first, int64_t last, short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(first);
  lock.l_len = static_cast<off_t>(last - first + 1);
  lock.l_pid = 0;  // required for OFD locks
  for (;;) {
    if (::fcntl(fd, F_OFD_SETLK, &lock) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) return false;
    return Unavailable("lease lock on '" + path_ + "' failed: " + std::strerror(errno));
  }
}

Result<bool> FileUserLeases::OthersPresent() {
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(kPresenceByte);
  lock.l_len = 1;
  lock.l_pid = 0;
  if (::fcntl(gate_fd_, F_OFD_GETLK, &lock) != 0) {
    return Unavailable("lease gate of '" + path_ + "' unreadable: " + std::strerror(errno));
  }
  return lock.l_type != F_UNLCK;  // this description's own read lock does not conflict
}

Result<bool> FileUserLeases::TrySoloLocked() {
  // Write-locking the gate first closes the race with a newcomer: one that registers its presence
  // after the check below cannot read-lock the gate, so it locks no user byte while solo.
  MLW_ASSIGN_OR_RETURN(bool gate, LockBytes(gate_fd_, kGateByte, kGateByte, F_WRLCK));
  if (!gate) return false;  // another object shares or is solo
  MLW_ASSIGN_OR_RETURN(bool others, OthersPresent());
  if (!others) {
    mode_ = Mode::kSolo;
    return true;
  }
  // Lowering a write lock to a read lock cannot conflict.
  MLW_ASSIGN_OR_RETURN(bool shared, LockBytes(gate_fd_, kGateByte, kGateByte, F_RDLCK));
  (void)shared;
  mode_ = Mode::kShared;
  return false;
}

Status FileUserLeases::ShareLocked() {
  for (const auto& [user, owner] : owners_) {
    MLW_ASSIGN_OR_RETURN(bool locked, LockBytes(fd_, user, user, F_WRLCK));
    // Nobody else can hold a user byte while the gate is write-locked here, unless a program
    // outside this protocol locks the file.
    if (!locked) return Internal("lease of user " + std::to_string(user) + " taken while solo");
  }
  MLW_ASSIGN_OR_RETURN(bool shared, LockBytes(gate_fd_, kGateByte, kGateByte, F_RDLCK));
  (void)shared;
  mode_ = Mode::kShared;
  return Status::Ok();
}

Status FileUserLeases::LeaveSoloLocked() {
  MLW_ASSIGN_OR_RETURN(bool unlocked, LockBytes(gate_fd_, kGateByte, kGateByte, F_UNLCK));
  (void)unlocked;  // unlocking cannot conflict
  mode_ = Mode::kNone;
  return Status::Ok();
}

Status FileUserLeases::ShareIfOthersPresentLocked() {
  if (mode_ != Mode::kSolo) return Status::Ok();
  MLW_ASSIGN_OR_RETURN(bool others, OthersPresent());
  return others ? ShareLocked() : Status::Ok();
}

Result<bool> FileUserLeases::EnterModeLocked() {
  switch (mode_) {
    case Mode::kSolo:
      MLW_RETURN_IF_ERROR(ShareIfOthersPresentLocked());
      return true;
    case Mode::kShared: {
      const auto now = std::chrono::steady_clock::now();
      if (owners_.empty() && now - last_solo_try_ >= kSoloRetry) {
        last_solo_try_ = now;
        MLW_ASSIGN_OR_RETURN(bool solo, TrySoloLocked());
        (void)solo;  // shared otherwise, as before
      }
      return true;
    }
    case Mode::kNone: {
      MLW_ASSIGN_OR_RETURN(bool solo, TrySoloLocked());
      if (solo || mode_ == Mode::kShared) return true;
      MLW_ASSIGN_OR_RETURN(bool shared, LockBytes(gate_fd_, kGateByte, kGateByte, F_RDLCK));
      if (shared) mode_ = Mode::kShared;
      return shared;  // false: another object is solo until it sees us
    }
  }
  return false;
}

std::vector<FileUserLeases::OwnerEntry>::iterator FileUserLeases::FindOwnerLocked(int64_t user) {
  auto it = std::lower_bound(owners_.begin(), owners_.end(), user,
                             [](const OwnerEntry& e, int64_t u) { return e.first < u; });
  return it != owners_.end() && it->first == user ? it : owners_.end();
}

void FileUserLeases::AddOwnerLocked(int64_t user, const std::string& owner) {
  std::string copy;
  if (!spare_.empty()) {
    copy = std::move(spare_.back());
    spare_.pop_back();
  }
  copy.assign(owner);  // within the spare's capacity: owners are of about one length
  auto it = std::lower_bound(owners_.begin(), owners_.end(), user,
                             [](const OwnerEntry& e, int64_t u) { return e.first < u; });
  owners_.insert(it, OwnerEntry(user, std::move(copy)));
}

void FileUserLeases::EraseOwnerLocked(std::vector<OwnerEntry>::iterator it) {
  spare_.push_back(std::move(it->second));
  owners_.erase(it);
}

Result<std::vector<bool>> FileUserLeases::TryAcquire(const std::vector<LeaseRequest>& requests,
                                                     int /*ttl_seconds*/) {
  std::vector<bool> granted(requests.size(), false);
  for (const LeaseRequest& r : requests) {
    if (r.user_id <= 0) {
      return InvalidArgument("user id " + std::to_string(r.user_id) +
                             " cannot be leased (must be > 0)");
    }
  }
  std::lock_guard<std::mutex> guard(mu_);
  MLW_ASSIGN_OR_RETURN(bool may_lease, EnterModeLocked());
  if (!may_lease) return granted;
  for (size_t i = 0; i < requests.size(); ++i) {
    const LeaseRequest& r = requests[i];
    auto held = FindOwnerLocked(r.user_id);
    if (held != owners_.end()) {
      granted[i] = held->second == r.owner;
      continue;
    }
    bool locked = true;
    if (mode_ == Mode::kShared) {
      MLW_ASSIGN_OR_RETURN(locked, LockBytes(fd_, r.user_id, r.user_id, F_WRLCK));
    }
    if (locked) AddOwnerLocked(r.user_id, r.owner);
    granted[i] = locked;
  }
  // A call that took nothing (no requests) must not leave a solo gate behind with no lease whose
  // release would drop it.
  if (mode_ == Mode::kSolo && owners_.empty()) MLW_RETURN_IF_ERROR(LeaveSoloLocked());
  return granted;
}

Result<std::vector<bool>> FileUserLeases::Renew(const std::vector<LeaseRequest>& requests,
                                                int /*ttl_seconds*/) {
  std::vector<bool> held(requests.size(), false);
  std::lock_guard<std::mutex> guard(mu_);
  // Heartbeats renew the leases of long jobs, while a busy worker may take no new lease for
  // minutes: a solo object also looks for a newcomer here, so that it waits at most one heartbeat.
  MLW_RETURN_IF_ERROR(ShareIfOthersPresentLocked());
  for (size_t i = 0; i < requests.size(); ++i) {
    auto it = FindOwnerLocked(requests[i].user_id);
    held[i] = it != owners_.end() && it->second == requests[i].owner;
  }
  return held;
}

Status FileUserLeases::Release(const std::vector<LeaseRequest>& requests) {
  std::lock_guard<std::mutex> guard(mu_);
  std::vector<int64_t> freed;
  freed.reserve(requests.size());
  for (const LeaseRequest& r : requests) {
    auto it = FindOwnerLocked(r.user_id);
    if (it != owners_.end() && it->second == r.owner) freed.push_back(r.user_id);
  }
  std::sort(freed.begin(), freed.end());
  freed.erase(std::unique(freed.begin(), freed.end()), freed.end());
  if (mode_ == Mode::kSolo) {
    for (int64_t user : freed) EraseOwnerLocked(FindOwnerLocked(user));
    // An idle solo object must not keep a newcomer out: it takes the gate again next time.
    if (owners_.empty()) return LeaveSoloLocked();
    // Nor one that still holds leases: a job's end is a chance to let the newcomer in. The freed
    // users are gone from owners_ already, so sharing locks only the leases still held.
    return ShareIfOthersPresentLocked();
  }
  // One unlock per run of freed users with no other held lease between them: unlocking the bytes
  // of users this description does not hold changes nothing, so a batch's releases usually take
  // one system call instead of one each.
  size_t begin = 0;
  while (begin < freed.size()) {
    size_t end = begin + 1;
    while (end < freed.size()) {
      // The next held user after the run.
      auto held = std::upper_bound(owners_.begin(), owners_.end(), freed[end - 1],
                                   [](int64_t u, const OwnerEntry& e) { return u < e.first; });
      if (held == owners_.end() || held->first != freed[end]) break;
      ++end;
    }
    MLW_ASSIGN_OR_RETURN(bool unlocked, LockBytes(fd_, freed[begin], freed[end - 1], F_UNLCK));
    (void)unlocked;  // unlocking bytes of this description cannot conflict
    for (size_t i = begin; i < end; ++i) EraseOwnerLocked(FindOwnerLocked(freed[i]));
    begin = end;
  }
  return Status::Ok();
}

}  // namespace mlw::worker
