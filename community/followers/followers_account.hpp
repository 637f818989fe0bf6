#pragma once
// Facts kept per Official Account beside its followers: when its WeChat certification
// (微信认证) expires, entered by the operator or told by WeChat's certification events
// (ExpiredTime of 资质认证成功 / 名称认证成功 / 年审通知 / 认证过期失效), and the warning the
// console shows from 30 days before. The latest of the two wins.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

struct AccountProfile {
  std::string appid;
  std::optional<std::string> certification_expires_at;  ///< YYYY-MM-DD
  std::string certification_source;                     ///< operator / wechat
  std::string certification_event;                      ///< wechat: the event that told it (annual_renew, ...)
  std::int64_t updated_at = 0;
};

/// Days before the expiry the warning starts.
inline constexpr int kCertificationWarningDays = 30;

/// The profile; an empty one (no expiry) when nothing was stored.
AccountProfile load_account_profile(store::Connection& c, std::string_view appid);
/// Why `date` is not a valid YYYY-MM-DD calendar date, in Chinese; nothing when it is.
std::optional<std::string> date_problem(std::string_view date);
/// Stores (or clears, with nothing) the expiry date the operator entered.
void save_certification_expiry(store::Connection& c, std::string_view appid, const std::optional<std::string>& date,
                               std::string_view source, std::int64_t now);
/// Stores the expiry WeChat announced in a certification `event` (ExpiredTime, Unix seconds).
void record_certification_event(store::Connection& c, std::string_view appid, std::string_view event,
                                std::int64_t expired_time, std::int64_t now);
/// "公众号认证将于 YYYY-MM-DD 到期" from 30 days before, "公众号认证已于 YYYY-MM-DD 到期" after;
/// nothing otherwise. `today` is YYYY-MM-DD (China time).
std::optional<std::string> certification_warning(const AccountProfile& p, std::string_view today);
/// Today's date in China (UTC+8) for a Unix time.
std::string china_date(std::int64_t unix_time);

}  // namespace xiaoqu::community
