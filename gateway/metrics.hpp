#pragma once
// Prometheus counters and a latency histogram. Request counters are fixed arrays of
// atomics indexed by route and status class, so the hot path takes no lock.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "gateway/http_types.hpp"
#include "gateway/rejection.hpp"

namespace xiaoqu::gateway {

class Metrics {
 public:
  void observe_request(Route route, int status, double seconds) noexcept;
  void count_callback(std::string_view kind);
  void count_rejection(Rejection r) noexcept;
  void count_duplicate() noexcept { duplicates_.fetch_add(1, std::memory_order_relaxed); }
  void set_connections(std::int64_t n) noexcept { connections_.store(n, std::memory_order_relaxed); }

  /// Text exposition format 0.0.4.
  std::string render() const;

  static constexpr std::array<int, 16> kStatuses = {200, 204, 301, 302, 400, 401, 403, 404, 405, 408, 413, 431, 500, 502, 503, 0};
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,  5.0};

 private:
  static constexpr std::size_t kRoutes = static_cast<std::size_t>(Route::count);
  std::array<std::array<std::atomic<std::uint64_t>, kStatuses.size()>, kRoutes> requests_{};
  std::array<std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1>, kRoutes> latency_buckets_{};
  std::array<std::atomic<std::uint64_t>, kRoutes> latency_sum_us_{};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Rejection::count)> rejections_{};
  std::atomic<std::uint64_t> duplicates_{0};
  std::atomic<std::int64_t> connections_{0};
  mutable std::mutex kinds_mu_;
  std::map<std::string, std::uint64_t, std::less<>> callbacks_by_kind_;
};

}  // namespace xiaoqu::gateway
