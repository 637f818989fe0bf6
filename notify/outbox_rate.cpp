#include "notify/outbox_rate.hpp"

#include <algorithm>

namespace xiaoqu::notify {

SendRate::SendRate(double per_second, double burst) : rate_(per_second), burst_(std::max(1.0, burst)) {}

bool SendRate::take(const std::string& account, Clock::time_point now) {
  std::lock_guard lk(mu_);
  auto [it, fresh] = buckets_.try_emplace(account, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh && now > b.at) {
    std::chrono::duration<double> elapsed = now - b.at;
    b.tokens = std::min(burst_, b.tokens + elapsed.count() * rate_);
    b.at = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace xiaoqu::notify
