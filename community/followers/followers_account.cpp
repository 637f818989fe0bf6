#include "community/followers/followers_account.hpp"

#include <chrono>
#include <cstdio>

namespace xiaoqu::community {
namespace {
std::optional<std::chrono::sys_days> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int y = std::stoi(std::string(s.substr(0, 4)));
  unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}
}  // namespace

AccountProfile load_account_profile(store::Connection& c, std::string_view appid) {
  AccountProfile p;
  p.appid = appid;
  store::Statement s(c,
                     "SELECT certification_expires_at, certification_source, certification_event, updated_at FROM account_profiles "
                     "WHERE appid = ?1");
  s.bind(1, appid);
  if (s.step()) {
    if (!s.is_null(0)) p.certification_expires_at = s.text(0);
    p.certification_source = s.text(1);
    p.certification_event = s.text(2);
    p.updated_at = s.integer(3);
  }
  return p;
}

std::optional<std::string> date_problem(std::string_view date) {
  if (!parse_date(date)) return "日期“" + std::string(date) + "”无效，应为 YYYY-MM-DD 格式的日期";
  return std::nullopt;
}

void save_certification_expiry(store::Connection& c, std::string_view appid, const std::optional<std::string>& date,
                               std::string_view source, std::int64_t now) {
  store::Statement s(c,
                     "INSERT INTO account_profiles (appid, certification_expires_at, certification_source, updated_at) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (appid) DO UPDATE SET certification_expires_at = excluded.certification_expires_at, "
                     "certification_source = excluded.certification_source, certification_event = '', updated_at = excluded.updated_at");
  s.bind(1, appid);
  if (date) s.bind(2, *date);
  else s.bind_null(2);
  s.bind(3, date ? source : std::string_view{}).bind(4, now).run();
}

void record_certification_event(store::Connection& c, std::string_view appid, std::string_view event,
                                std::int64_t expired_time, std::int64_t now) {
  store::Statement s(c,
                     "INSERT INTO account_profiles (appid, certification_expires_at, certification_source, certification_event, updated_at) "
                     "VALUES (?1, ?2, 'wechat', ?3, ?4) ON CONFLICT (appid) DO UPDATE SET "
                     "certification_expires_at = excluded.certification_expires_at, certification_source = 'wechat', "
                     "certification_event = excluded.certification_event, updated_at = excluded.updated_at");
  s.bind(1, appid).bind(2, china_date(expired_time)).bind(3, event).bind(4, now).run();
}

std::optional<std::string> certification_warning(const AccountProfile& p, std::string_view today) {
  if (!p.certification_expires_at) return std::nullopt;
  auto expires = parse_date(*p.certification_expires_at);
  auto now = parse_date(today);
  if (!expires || !now) return std::nullopt;
  auto days = (*expires - *now).count();
  if (days < 0) return "公众号认证已于 " + *p.certification_expires_at + " 到期";
  if (days <= kCertificationWarningDays) return "公众号认证将于 " + *p.certification_expires_at + " 到期";
  return std::nullopt;
}

std::string china_date(std::int64_t unix_time) {
  auto day = std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{std::chrono::seconds{unix_time + 8 * 3600}});
  std::chrono::year_month_day ymd{day};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace xiaoqu::community
