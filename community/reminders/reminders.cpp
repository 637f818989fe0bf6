#include "community/reminders/reminders.hpp"

namespace xiaoqu::community {

ReminderChannel route_reminder(const Reviewer& r, const std::string& community_appid) noexcept {
  if (!r.openid.empty() && !community_appid.empty() && r.appid == community_appid && r.following)
    return ReminderChannel::template_message;
  if (!r.phone.empty()) return ReminderChannel::sms;
  return ReminderChannel::none;
}

bool is_following(store::Connection& c, const std::string& appid, const std::string& openid) {
  if (appid.empty() || openid.empty()) return false;
  auto& s = c.cached("SELECT subscribed FROM followers WHERE appid = ?1 AND openid = ?2");
  s.bind(1, appid).bind(2, openid);
  bool following = s.step() && s.integer(0) == 1;
  s.reset();
  return following;
}

std::vector<Reviewer> admin_reviewers(store::Connection& c, std::int64_t community_id, const std::string& community_appid) {
  std::vector<Reviewer> out;
  store::Statement s(c,
                     "SELECT a.id, a.display_name, a.username, a.phone, a.wechat_appid, a.wechat_openid "
                     "FROM admin_accounts a JOIN admin_communities ac ON ac.admin_id = a.id "
                     "WHERE ac.community_id = ?1 AND a.reminders_enabled = 1 AND a.disabled = 0 AND a.role = 'property_admin' "
                     "ORDER BY a.id");
  s.bind(1, community_id);
  while (s.step()) {
    Reviewer r;
    r.key = "admin:" + std::to_string(s.integer(0));
    r.display = s.text(1).empty() ? s.text(2) : s.text(1);
    r.phone = s.text(3);
    r.appid = s.text(4);
    r.openid = s.text(5);
    out.push_back(std::move(r));
  }
  for (auto& r : out) r.following = r.appid == community_appid && is_following(c, r.appid, r.openid);
  return out;
}

std::vector<Reviewer> owner_reviewers(store::Connection& c, std::int64_t room_id, const std::string& community_appid) {
  std::vector<Reviewer> out;
  store::Statement s(c,
                     "SELECT name, phone, appid, openid FROM residents "
                     "WHERE room_id = ?1 AND identity = 'owner' AND status = 'verified' AND openid <> '' ORDER BY id");
  s.bind(1, room_id);
  while (s.step()) {
    Reviewer r;
    r.openid = s.text(3);
    r.key = "owner:" + r.openid;
    r.display = s.text(0);
    r.phone = s.text(1);
    r.appid = s.text(2);
    out.push_back(std::move(r));
  }
  for (auto& r : out) r.following = r.appid == community_appid && is_following(c, r.appid, r.openid);
  return out;
}

}  // namespace xiaoqu::community
