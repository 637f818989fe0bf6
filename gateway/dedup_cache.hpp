#pragma once
// In-memory view of handled callbacks, so a platform retry is recognised without touching
// the disk. The store holds the durable copy (store/callback_log) and warms this at start.
// Sharded by key hash so the two io threads rarely meet on a lock.
#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace xiaoqu::gateway {

class DedupCache {
 public:
  explicit DedupCache(std::int64_t ttl_seconds) : ttl_(ttl_seconds) {}

  enum class State { fresh, in_flight, done };
  /// Claims `key` when unseen (fresh); otherwise says whether the first delivery is still
  /// being handled or is done, in which case `reply` receives its answer.
  State begin(const std::string& key, std::int64_t now, std::string& reply);
  /// Marks the claimed key handled with its answer.
  void complete(const std::string& key, std::string reply, std::int64_t now);
  /// Releases a claim whose handling failed, so the platform's retry is handled afresh.
  void abandon(const std::string& key);
  /// Inserts a record loaded from the store.
  void load(const std::string& key, std::string reply, std::int64_t handled_at);
  /// Drops expired records; returns how many.
  std::size_t sweep(std::int64_t now);

 private:
  struct Entry {
    bool done = false;
    std::int64_t at = 0;
    std::string reply;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> map;
  };
  Shard& shard(const std::string& key) { return shards_[std::hash<std::string>{}(key) % shards_.size()]; }

  std::int64_t ttl_;
  std::array<Shard, 16> shards_;
};

}  // namespace xiaoqu::gateway
