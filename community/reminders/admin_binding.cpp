#include "community/reminders/admin_binding.hpp"

#include <sodium.h>

#include "community/shared/audit.hpp"
#include "community/structure/communities.hpp"
#include "community/shared/masking.hpp"
#include "community/reminders/reminders.hpp"

namespace xiaoqu::community {
namespace {

std::string random_token() {
  // 24 letters and digits: ~142 bits, and a scene of "bind:" + 24 stays far below 64 characters.
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::string out(24, 'A');
  for (auto& ch : out) ch = kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)];
  return out;
}

std::string admin_name(store::Connection& c, std::int64_t admin_id) {
  store::Statement s(c, "SELECT display_name, username FROM admin_accounts WHERE id = ?1");
  s.bind(1, admin_id);
  if (!s.step()) throw RecordError(RecordError::Kind::not_found, "管理员不存在", "admin");
  return s.text(0).empty() ? s.text(1) : s.text(0);
}

}  // namespace

std::string create_binding_token(store::Connection& c, std::int64_t admin_id, const std::string& appid, std::int64_t ttl_seconds,
                                 std::int64_t now) {
  admin_name(c, admin_id);
  std::string token = random_token();
  store::Statement s(c, "INSERT INTO admin_binding_tokens (token, admin_id, appid, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, token).bind(2, admin_id).bind(3, appid).bind(4, now).bind(5, now + ttl_seconds).run();
  // Old tokens are kept a day for the audit trail of failed scans, then dropped.
  store::Statement(c, "DELETE FROM admin_binding_tokens WHERE expires_at < ?1").bind(1, now - 86'400).run();
  return token;
}

BindingResult consume_binding_token(store::Connection& c, const std::string& token, const std::string& appid, const std::string& openid,
                                    std::int64_t now) {
  BindingResult r;
  std::int64_t admin_id = 0, expires_at = 0;
  bool used = false;
  std::string token_appid;
  {
    store::Statement s(c, "SELECT admin_id, appid, expires_at, used_at IS NOT NULL FROM admin_binding_tokens WHERE token = ?1");
    s.bind(1, token);
    if (!s.step()) {
      r.message = "该二维码无效，请在物业后台重新生成邀请二维码。";
      return r;
    }
    admin_id = s.integer(0);
    token_appid = s.text(1);
    expires_at = s.integer(2);
    used = s.integer(3) != 0;
  }
  if (used) {
    r.message = "该二维码已使用过，如需重新关联，请在物业后台重新生成邀请二维码。";
    return r;
  }
  if (now > expires_at) {
    r.message = "该二维码已过期（有效期 10 分钟），请在物业后台重新生成邀请二维码。";
    return r;
  }
  if (token_appid != appid) {
    r.message = "请使用邀请二维码所属的公众号扫码。";
    return r;
  }
  std::string name = admin_name(c, admin_id);
  nlohmann::json before;
  {
    store::Statement s(c, "SELECT wechat_appid, wechat_openid FROM admin_accounts WHERE id = ?1");
    s.bind(1, admin_id);
    s.step();
    before = {{"wechat_bound", !s.text(1).empty()}, {"wechat_appid", s.text(0)}};
  }
  store::Statement(c, "UPDATE admin_accounts SET wechat_appid = ?2, wechat_openid = ?3, updated_at = ?4 WHERE id = ?1")
      .bind(1, admin_id)
      .bind(2, appid)
      .bind(3, openid)
      .bind(4, now)
      .run();
  store::Statement(c, "UPDATE admin_binding_tokens SET used_at = ?2, used_by_openid = ?3 WHERE token = ?1")
      .bind(1, token)
      .bind(2, now)
      .bind(3, openid)
      .run();
  audit(c, {"wechat:" + openid, "admin.wechat_bind", "admin", admin_id, 0, before, {{"wechat_bound", true}, {"wechat_appid", appid}}},
        now);
  r.bound = true;
  r.admin_id = admin_id;
  r.message = "已将此微信关联到管理员「" + name + "」，住户认证待审核时会在这里提醒您。如扫码的微信不对，请在后台重新邀请关联。";
  return r;
}

void unbind_admin(store::Connection& c, std::int64_t admin_id, const std::string& actor, std::int64_t now) {
  admin_name(c, admin_id);
  store::Statement(c, "UPDATE admin_accounts SET wechat_appid = '', wechat_openid = '', updated_at = ?2 WHERE id = ?1")
      .bind(1, admin_id)
      .bind(2, now)
      .run();
  audit(c, {actor, "admin.wechat_unbind", "admin", admin_id, 0, {{"wechat_bound", true}}, {{"wechat_bound", false}}}, now);
}

void set_reminders(store::Connection& c, std::int64_t admin_id, bool enabled, const std::string& actor, std::int64_t now) {
  admin_name(c, admin_id);
  store::Statement(c, "UPDATE admin_accounts SET reminders_enabled = ?2, updated_at = ?3 WHERE id = ?1")
      .bind(1, admin_id)
      .bind(2, enabled ? 1 : 0)
      .bind(3, now)
      .run();
  audit(c, {actor, "admin.reminders", "admin", admin_id, 0, {{"reminders_enabled", !enabled}}, {{"reminders_enabled", enabled}}}, now);
}

void check_admin_of_community(store::Connection& c, std::int64_t community_id, std::int64_t admin_id) {
  store::Statement s(c,
                     "SELECT 1 FROM admin_communities ac JOIN admin_accounts a ON a.id = ac.admin_id "
                     "WHERE ac.community_id = ?1 AND ac.admin_id = ?2");
  s.bind(1, community_id).bind(2, admin_id);
  if (!s.step()) throw RecordError(RecordError::Kind::not_found, "该小区没有这位管理员", "admin");
}

std::vector<ReviewerSetting> reviewer_settings(store::Connection& c, std::int64_t community_id, const std::string& community_appid) {
  std::vector<ReviewerSetting> out;
  std::vector<std::pair<std::string, std::string>> bindings;
  {
    store::Statement s(c,
                       "SELECT a.id, a.display_name, a.username, a.phone, a.wechat_appid, a.wechat_openid, a.reminders_enabled "
                       "FROM admin_accounts a JOIN admin_communities ac ON ac.admin_id = a.id "
                       "WHERE ac.community_id = ?1 AND a.disabled = 0 ORDER BY a.id");
    s.bind(1, community_id);
    while (s.step()) {
      ReviewerSetting r;
      r.admin_id = s.integer(0);
      r.name = s.text(1).empty() ? s.text(2) : s.text(1);
      r.phone_masked = mask_phone(s.text(3));
      r.bound = !s.text(5).empty() && !community_appid.empty() && s.text(4) == community_appid;
      r.reminders_enabled = s.integer(6) != 0;
      bindings.emplace_back(s.text(4), s.text(5));
      out.push_back(std::move(r));
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].following = out[i].bound && is_following(c, bindings[i].first, bindings[i].second);
    out[i].wechat_state = out[i].following ? "可微信提醒" : (out[i].bound ? "未关注公众号" : "未关联公众号");
  }
  return out;
}

nlohmann::json to_json(const ReviewerSetting& r) {
  return {{"admin_id", r.admin_id},   {"name", r.name},           {"phone", r.phone_masked},
          {"bound", r.bound},         {"following", r.following}, {"wechat_state", r.wechat_state},
          {"reminders_enabled", r.reminders_enabled}};
}

}  // namespace xiaoqu::community
