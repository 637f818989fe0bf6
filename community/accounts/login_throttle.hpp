#pragma once
// Failed-login counting, in memory (a mutex-protected map with expiry): after too many
// failures for one username, or from one remote address, within the window, logins are
// refused until the oldest failure leaves the window. Kept out of the store on purpose:
// the counts only need to survive as long as the process, and a restart forgetting them
// costs an attacker a restart they cannot cause.
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace xiaoqu::community {

struct ThrottleLimits {
  unsigned per_username = 5;
  unsigned per_address = 20;
  std::int64_t window_seconds = 15 * 60;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleLimits limits) : limits_(limits) {}

  /// Seconds until a login for this username from this address may be tried; 0 = now.
  std::int64_t retry_after(const std::string& username, const std::string& address, std::int64_t now);
  void record_failure(const std::string& username, const std::string& address, std::int64_t now);
  /// A successful login clears the username's failures (not the address's).
  void record_success(const std::string& username);

 private:
  using Times = std::deque<std::int64_t>;
  void expire(Times& t, std::int64_t now) const;
  std::int64_t wait(Times& t, unsigned limit, std::int64_t now) const;
  void sweep(std::int64_t now);

  ThrottleLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Times> by_username_, by_address_;
  std::int64_t last_sweep_ = 0;
};

}  // namespace xiaoqu::community
