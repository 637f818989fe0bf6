#pragma once
// One-time codes proving a resident's phone: sent by SMS through the outbox, rate-limited per
// phone and per WeChat user, expiring, at most five tries, stored only as a hash.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// A limit was reached: the message says when to try again (HTTP 429).
class TooManyRequests : public std::runtime_error {
 public:
  TooManyRequests(const std::string& message, std::int64_t retry_after) : std::runtime_error(message), retry_after_(retry_after) {}
  std::int64_t retry_after() const noexcept { return retry_after_; }

 private:
  std::int64_t retry_after_;
};

inline constexpr std::int64_t kOtpResendSeconds = 60;
inline constexpr int kOtpMaxAttempts = 5;

/// Queues a code for `phone` (11 digits) in the caller's transaction. Throws TooManyRequests.
/// Returns the code's row id (the code itself only travels in the SMS).
std::int64_t request_otp(store::Connection& c, const config::VerificationConfig& cfg, std::int64_t community_id, const std::string& appid,
                         const std::string& openid, const std::string& phone, std::int64_t now);

/// True (and the code used up) when `code` is the live code of this phone and user.
bool verify_otp(store::Connection& c, const std::string& appid, const std::string& openid, const std::string& phone,
                const std::string& code, std::int64_t now);

}  // namespace xiaoqu::community
