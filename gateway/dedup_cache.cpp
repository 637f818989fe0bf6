#include "gateway/dedup_cache.hpp"

namespace xiaoqu::gateway {

DedupCache::State DedupCache::begin(const std::string& key, std::int64_t now, std::string& reply) {
  Shard& s = shard(key);
  std::lock_guard lk(s.mu);
  auto [it, inserted] = s.map.try_emplace(key);
  if (inserted || now - it->second.at > ttl_) {
    it->second = Entry{false, now, {}};
    return State::fresh;
  }
  if (!it->second.done) return State::in_flight;
  reply = it->second.reply;
  return State::done;
}

void DedupCache::complete(const std::string& key, std::string reply, std::int64_t now) {
  Shard& s = shard(key);
  std::lock_guard lk(s.mu);
  s.map[key] = Entry{true, now, std::move(reply)};
}

void DedupCache::abandon(const std::string& key) {
  Shard& s = shard(key);
  std::lock_guard lk(s.mu);
  s.map.erase(key);
}

void DedupCache::load(const std::string& key, std::string reply, std::int64_t at) {
  Shard& s = shard(key);
  std::lock_guard lk(s.mu);
  s.map[key] = Entry{true, at, std::move(reply)};
}

std::size_t DedupCache::sweep(std::int64_t now) {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard lk(s.mu);
    for (auto it = s.map.begin(); it != s.map.end();) {
      // In-flight claims older than the TTL belong to a handler that never finished.
      if (now - it->second.at > ttl_) {
        it = s.map.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
  }
  return n;
}

}  // namespace xiaoqu::gateway
