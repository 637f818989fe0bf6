#pragma once
// State that the listener, every session and the server share: limits, the request
// handler, counters, and the hooks that close idle connections on shutdown.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "config/config.hpp"
#include "gateway/http_types.hpp"
#include "gateway/metrics.hpp"

namespace xiaoqu::gateway {

struct SessionContext {
  SessionContext(const config::ServerConfig& c, Handler h, Metrics& m) : cfg(c), handler(std::move(h)), metrics(m) {}

  const config::ServerConfig cfg;
  const Handler handler;
  Metrics& metrics;
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> sessions{0};
  std::atomic<std::uint64_t> next_request{0};
  std::string request_id_prefix;  ///< random per process, so ids from two runs differ

  std::mutex closers_mu;
  std::unordered_map<std::uint64_t, std::function<void()>> closers;  ///< by session id
  std::atomic<std::uint64_t> next_session{0};
};

}  // namespace xiaoqu::gateway
