#pragma once
// 提醒设置: property admins bind their WeChat by scanning a temporary QR code whose scene
// carries a one-time token; reminders go to the bound WeChat user. Binding again replaces a
// wrong account; unbinding clears it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// The scene prefix of a binding QR code ("bind:<token>") and of a community's entry code ("c:<id>").
inline constexpr std::string_view kBindScenePrefix = "bind:";
inline constexpr std::string_view kCommunityScenePrefix = "c:";

/// A fresh one-time token for `admin_id`, valid `ttl_seconds`. RecordError not_found when the
/// admin does not exist.
std::string create_binding_token(store::Connection& c, std::int64_t admin_id, const std::string& appid, std::int64_t ttl_seconds,
                                 std::int64_t now);

struct BindingResult {
  bool bound = false;
  std::string message;  ///< the passive reply the scanner reads, in Chinese
  std::int64_t admin_id = 0;
};
/// Consumes the token for the WeChat user who scanned it through `appid`. Unknown, used or
/// expired tokens bind nothing and say so. Audited.
BindingResult consume_binding_token(store::Connection& c, const std::string& token, const std::string& appid, const std::string& openid,
                                    std::int64_t now);

/// 解除关联. Audited.
void unbind_admin(store::Connection& c, std::int64_t admin_id, const std::string& actor, std::int64_t now);
/// The reminder switch. Audited.
void set_reminders(store::Connection& c, std::int64_t admin_id, bool enabled, const std::string& actor, std::int64_t now);

/// One row of the 提醒设置 list.
struct ReviewerSetting {
  std::int64_t admin_id = 0;
  std::string name, phone_masked;
  bool bound = false;      ///< bound to the community's Official Account
  bool following = false;  ///< and follows it now
  std::string wechat_state;  ///< 可微信提醒 / 未关注公众号 / 未关联公众号
  bool reminders_enabled = true;
};
std::vector<ReviewerSetting> reviewer_settings(store::Connection& c, std::int64_t community_id, const std::string& community_appid);
nlohmann::json to_json(const ReviewerSetting& r);
/// RecordError not_found unless `admin_id` is a property admin assigned to the community.
void check_admin_of_community(store::Connection& c, std::int64_t community_id, std::int64_t admin_id);

}  // namespace xiaoqu::community
