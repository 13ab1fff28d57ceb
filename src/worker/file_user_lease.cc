#include "worker/file_user_lease.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mlw::worker {

Result<std::unique_ptr<FileUserLeases>> FileUserLeases::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable("cannot open the lease file '" + path + "': " + std::strerror(errno));
  }
  return std::unique_ptr<FileUserLeases>(new FileUserLeases(path, fd));
}

FileUserLeases::~FileUserLeases() { ::close(fd_); }  // drops every lock this object holds

Result<bool> FileUserLeases::Lock(int64_t user_id, short type) {
  if (user_id <= 0) {
    return InvalidArgument("user id " + std::to_string(user_id) +
                           " cannot be leased (must be > 0)");
  }
  return LockRange(user_id, user_id, type);
}

Result<bool> FileUserLeases::LockRange(int64_t first, int64_t last, short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(first);
  lock.l_len = static_cast<off_t>(last - first + 1);
  lock.l_pid = 0;  // required for OFD locks
  for (;;) {
    if (::fcntl(fd_, F_OFD_SETLK, &lock) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) return false;
    return Unavailable("lease lock on '" + path_ + "' failed: " + std::strerror(errno));
  }
}

Result<std::vector<bool>> FileUserLeases::TryAcquire(const std::vector<LeaseRequest>& requests,
                                                     int /*ttl_seconds*/) {
  std::vector<bool> granted(requests.size(), false);
  std::lock_guard<std::mutex> guard(mu_);
  for (size_t i = 0; i < requests.size(); ++i) {
    const LeaseRequest& r = requests[i];
    auto held = owners_.find(r.user_id);
    if (held != owners_.end()) {
      granted[i] = held->second == r.owner;
      continue;
    }
    MLW_ASSIGN_OR_RETURN(bool locked, Lock(r.user_id, F_WRLCK));
    if (locked) owners_.emplace(r.user_id, r.owner);
    granted[i] = locked;
  }
  return granted;
}

Result<std::vector<bool>> FileUserLeases::Renew(const std::vector<LeaseRequest>& requests,
                                                int /*ttl_seconds*/) {
  std::vector<bool> held(requests.size(), false);
  std::lock_guard<std::mutex> guard(mu_);
  for (size_t i = 0; i < requests.size(); ++i) {
    auto it = owners_.find(requests[i].user_id);
    held[i] = it != owners_.end() && it->second == requests[i].owner;
  }
  return held;
}

Status FileUserLeases::Release(const std::vector<LeaseRequest>& requests) {
  std::lock_guard<std::mutex> guard(mu_);
  std::vector<int64_t> freed;
  freed.reserve(requests.size());
  for (const LeaseRequest& r : requests) {
    auto it = owners_.find(r.user_id);
    if (it != owners_.end() && it->second == r.owner) freed.push_back(r.user_id);
  }
  std::sort(freed.begin(), freed.end());
  freed.erase(std::unique(freed.begin(), freed.end()), freed.end());
  // One unlock per run of freed users with no other held lease between them: unlocking the bytes
  // of users this description does not hold changes nothing, so a batch's releases usually take
  // one system call instead of one each.
  size_t begin = 0;
  while (begin < freed.size()) {
    size_t end = begin + 1;
    while (end < freed.size()) {
      auto held = owners_.upper_bound(freed[end - 1]);  // the next held user after the run
      if (held == owners_.end() || held->first != freed[end]) break;
      ++end;
    }
    MLW_ASSIGN_OR_RETURN(bool unlocked, LockRange(freed[begin], freed[end - 1], F_UNLCK));
    (void)unlocked;  // unlocking bytes of this description cannot conflict
    for (size_t i = begin; i < end; ++i) owners_.erase(freed[i]);
    begin = end;
  }
  return Status::Ok();
}

}  // namespace mlw::worker
