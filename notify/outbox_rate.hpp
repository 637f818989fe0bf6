#pragma once
// The send rate of each account (an Official Account's appid, or "sms"): a token bucket per
// account refilled at `rate` per second, holding at most one poll interval's worth, so a burst
// after a quiet spell stays near the configured rate. Thread-safe.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace xiaoqu::notify {

class SendRate {
 public:
  using Clock = std::chrono::steady_clock;

  /// `per_second` sends per second per account; bursts up to `burst` (at least 1).
  SendRate(double per_second, double burst);

  /// Takes one send for `account` when its bucket has one; false otherwise.
  bool take(const std::string& account, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
  };
  double rate_, burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace xiaoqu::notify
