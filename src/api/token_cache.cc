#include "api/token_cache.h"

namespace mlw::api {

TokenCache::TokenCache(const Clock& clock, TokenCacheOptions options)
    : clock_(clock), options_(options) {}

std::optional<int64_t> TokenCache::Find(const std::string& digest) const {
  if (options_.capacity == 0 || options_.ttl_micros <= 0) return std::nullopt;
  const int64_t now = clock_.NowMicros();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(digest);
  if (it == entries_.end() || it->second.expires_at_us <= now) return std::nullopt;
  return it->second.user_id;
}

void TokenCache::Insert(const std::string& digest, int64_t user_id) {
  if (options_.capacity == 0 || options_.ttl_micros <= 0) return;
  const int64_t now = clock_.NowMicros();
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= options_.capacity && entries_.find(digest) == entries_.end()) {
    std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires_at_us <= now; });
    if (entries_.size() >= options_.capacity) entries_.clear();
  }
  entries_[digest] = Entry{user_id, now + options_.ttl_micros};
}

}  // namespace mlw::api
