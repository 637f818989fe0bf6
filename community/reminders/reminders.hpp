#pragma once
// Who is reminded of a pending verification request, and how: a template message in the
// community's Official Account to a reviewer bound to it who follows it now, otherwise an
// SMS to one with a phone, otherwise nobody (and a warning in the log).
#include <cstdint>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

struct Reviewer {
  std::string key;      ///< "admin:<id>" or "owner:<openid>": part of the outbox idempotency key
  std::string display;  ///< for logs and the console, never a phone
  std::string appid, openid;  ///< the bound WeChat user, when any
  bool following = false;     ///< follows `appid` now (subscribe/unsubscribe events, follower sync)
  std::string phone;          ///< 11 digits, or empty
};

enum class ReminderChannel { template_message, sms, none };

/// The routing rule, on its own.
ReminderChannel route_reminder(const Reviewer& r, const std::string& community_appid) noexcept;

/// Property admins assigned to the community with reminders on (not disabled).
std::vector<Reviewer> admin_reviewers(store::Connection& c, std::int64_t community_id, const std::string& community_appid);
/// Verified owners of the room (WeChat users by construction).
std::vector<Reviewer> owner_reviewers(store::Connection& c, std::int64_t room_id, const std::string& community_appid);
/// Whether `openid` follows `appid` now, as far as the store knows.
bool is_following(store::Connection& c, const std::string& appid, const std::string& openid);

}  // namespace xiaoqu::community
