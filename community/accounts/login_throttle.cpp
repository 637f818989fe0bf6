#include "community/accounts/login_throttle.hpp"

#include <algorithm>

namespace xiaoqu::community {

void LoginThrottle::expire(Times& t, std::int64_t now) const {
  while (!t.empty() && t.front() <= now - limits_.window_seconds) t.pop_front();
}

std::int64_t LoginThrottle::wait(Times& t, unsigned limit, std::int64_t now) const {
  expire(t, now);
  if (t.size() < limit) return 0;
  // Blocked until enough failures leave the window to bring the count under the limit.
  std::int64_t oldest_that_counts = t[t.size() - limit];
  return std::max<std::int64_t>(1, oldest_that_counts + limits_.window_seconds - now);
}

std::int64_t LoginThrottle::retry_after(const std::string& username, const std::string& address, std::int64_t now) {
  std::lock_guard lk(mu_);
  std::int64_t w = 0;
  if (auto it = by_username_.find(username); it != by_username_.end()) w = std::max(w, wait(it->second, limits_.per_username, now));
  if (auto it = by_address_.find(address); it != by_address_.end()) w = std::max(w, wait(it->second, limits_.per_address, now));
  return w;
}

void LoginThrottle::record_failure(const std::string& username, const std::string& address, std::int64_t now) {
  std::lock_guard lk(mu_);
  sweep(now);
  auto push = [&](Times& t) {
    t.push_back(now);
    // Only the newest `limit` entries ever matter; bound memory under a flood.
    while (t.size() > std::max(limits_.per_username, limits_.per_address)) t.pop_front();
  };
  push(by_username_[username]);
  push(by_address_[address]);
}

void LoginThrottle::record_success(const std::string& username) {
  std::lock_guard lk(mu_);
  by_username_.erase(username);
}

void LoginThrottle::sweep(std::int64_t now) {
  // Once a window, drop keys whose failures all expired, so guessed usernames do not pile up.
  if (now - last_sweep_ < limits_.window_seconds) return;
  last_sweep_ = now;
  for (auto* m : {&by_username_, &by_address_}) {
    for (auto it = m->begin(); it != m->end();) {
      expire(it->second, now);
      it = it->second.empty() ? m->erase(it) : std::next(it);
    }
  }
}

}  // namespace xiaoqu::community
