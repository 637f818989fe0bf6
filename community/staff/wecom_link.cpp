#include "community/staff/wecom_link.hpp"

#include <sodium.h>

namespace xiaoqu::community {
namespace {
constexpr const char* kLinkColumns =
    "id, admin_id, corp_id, corp_name, suite_id, agent_id, mode, state, visible_range, linked_at, changed_at, "
    "last_sync_at, last_sync_error";

WecomCorpLink read_link(const store::Statement& s) {
  WecomCorpLink l;
  l.id = s.integer(0);
  l.admin_id = s.integer(1);
  l.corp_id = s.text(2);
  l.corp_name = s.text(3);
  l.suite_id = s.text(4);
  l.agent_id = s.text(5);
  l.mode = s.text(6) == "self_built" ? WecomLinkMode::self_built : WecomLinkMode::suite;
  std::string state = s.text(7);
  l.state = state == "linked" ? WecomLinkState::linked : state == "cancelled" ? WecomLinkState::cancelled : WecomLinkState::unlinked;
  l.visible_range = nlohmann::json::parse(s.text(8), nullptr, false);
  if (!l.visible_range.is_object()) l.visible_range = nlohmann::json::object();
  l.linked_at = s.integer(9);
  l.changed_at = s.integer(10);
  if (!s.is_null(11)) l.last_sync_at = s.integer(11);
  l.last_sync_error = s.text(12);
  return l;
}

std::optional<WecomCorpLink> one_link(store::Connection& c, const std::string& where, const auto& bind) {
  store::Statement s(c, std::string("SELECT ") + kLinkColumns + " FROM wecom_corp_links WHERE " + where);
  bind(s);
  if (!s.step()) return std::nullopt;
  return read_link(s);
}
}  // namespace

const char* to_string(WecomLinkMode m) noexcept { return m == WecomLinkMode::self_built ? "self_built" : "suite"; }

const char* to_string(WecomLinkState s) noexcept {
  switch (s) {
    case WecomLinkState::linked: return "linked";
    case WecomLinkState::unlinked: return "unlinked";
    case WecomLinkState::cancelled: return "cancelled";
  }
  return "unlinked";
}

std::optional<WecomCorpLink> link_of_admin(store::Connection& c, std::int64_t admin_id) {
  return one_link(c, "admin_id = ?1", [&](store::Statement& s) { s.bind(1, admin_id); });
}

std::optional<WecomCorpLink> link_of_corp(store::Connection& c, const std::string& corp_id) {
  return one_link(c, "corp_id = ?1", [&](store::Statement& s) { s.bind(1, corp_id); });
}

std::optional<WecomLinkError> link_refusal(store::Connection& c, std::int64_t admin_id, const std::string& corp_id) {
  if (auto held = link_of_corp(c, corp_id); held && held->state == WecomLinkState::linked && held->admin_id != admin_id)
    return WecomLinkError(WecomLinkError::Kind::refused, "corp_linked_elsewhere", kCorpLinkedElsewhere);
  if (auto mine = link_of_admin(c, admin_id); mine && mine->state == WecomLinkState::linked && mine->corp_id != corp_id)
    return WecomLinkError(WecomLinkError::Kind::refused, "account_already_linked",
                          "该物业账号已关联企业微信「" + (mine->corp_name.empty() ? mine->corp_id : mine->corp_name) +
                              "」，请先点击“我要更换关联企业”解除关联");
  return std::nullopt;
}

WecomCorpLink link_corp(store::Connection& c, const NewCorpLink& l, std::int64_t now) {
  if (l.corp_id.empty()) throw WecomLinkError(WecomLinkError::Kind::not_found, "corp_missing", "缺少企业微信的企业 ID");
  if (auto refusal = link_refusal(c, l.admin_id, l.corp_id)) throw *refusal;
  auto previous = link_of_corp(c, l.corp_id);
  bool relink = previous && previous->state == WecomLinkState::linked;
  // A finished link of this corp or of this account gives way to the new one (both ids are unique).
  c.cached("DELETE FROM wecom_corp_links WHERE (corp_id = ?1 OR admin_id = ?2) AND state <> 'linked'")
      .bind(1, l.corp_id)
      .bind(2, l.admin_id)
      .run();
  std::string range = l.visible_range.is_object() ? l.visible_range.dump() : "{}";
  if (relink) {
    c.cached(
         "UPDATE wecom_corp_links SET corp_name = ?2, suite_id = ?3, agent_id = ?4, mode = ?5, visible_range = ?6, "
         "changed_at = ?7 WHERE corp_id = ?1")
        .bind(1, l.corp_id)
        .bind(2, l.corp_name)
        .bind(3, l.suite_id)
        .bind(4, l.agent_id)
        .bind(5, to_string(l.mode))
        .bind(6, range)
        .bind(7, now)
        .run();
  } else {
    c.cached(
         "INSERT INTO wecom_corp_links (corp_id, admin_id, mode, suite_id, agent_id, corp_name, visible_range, state, "
         "linked_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'linked', ?8, ?8)")
        .bind(1, l.corp_id)
        .bind(2, l.admin_id)
        .bind(3, to_string(l.mode))
        .bind(4, l.suite_id)
        .bind(5, l.agent_id)
        .bind(6, l.corp_name)
        .bind(7, range)
        .bind(8, now)
        .run();
  }
  return *link_of_corp(c, l.corp_id);
}

int mark_corp_staff_unsynced(store::Connection& c, const std::string& corp_id, std::int64_t now) {
  c.cached("UPDATE staff SET wecom_state = 'unsynced', updated_at = ?2 WHERE wecom_corp_id = ?1 AND wecom_state = 'synced'")
      .bind(1, corp_id)
      .bind(2, now)
      .run();
  return c.changes();
}

WecomCorpLink unlink_corp(store::Connection& c, std::int64_t admin_id, std::int64_t now) {
  auto link = link_of_admin(c, admin_id);
  if (!link || link->state != WecomLinkState::linked)
    throw WecomLinkError(WecomLinkError::Kind::not_found, "not_linked", "该物业账号尚未关联企业微信");
  c.cached("UPDATE wecom_corp_links SET state = 'unlinked', changed_at = ?2 WHERE id = ?1").bind(1, link->id).bind(2, now).run();
  mark_corp_staff_unsynced(c, link->corp_id, now);
  link->state = WecomLinkState::unlinked;
  link->changed_at = now;
  return *link;
}

bool cancel_corp(store::Connection& c, const std::string& suite_id, const std::string& corp_id, std::int64_t now) {
  c.cached(
       "UPDATE wecom_corp_links SET state = 'cancelled', changed_at = ?3 "
       "WHERE corp_id = ?1 AND suite_id = ?2 AND mode = 'suite' AND state = 'linked'")
      .bind(1, corp_id)
      .bind(2, suite_id)
      .bind(3, now)
      .run();
  if (c.changes() == 0) return false;
  mark_corp_staff_unsynced(c, corp_id, now);
  return true;
}

void record_sync_result(store::Connection& c, const std::string& corp_id, std::int64_t now, const std::string& error) {
  if (error.empty()) {
    c.cached("UPDATE wecom_corp_links SET last_sync_at = ?2, last_sync_error = '' WHERE corp_id = ?1").bind(1, corp_id).bind(2, now).run();
  } else {
    c.cached("UPDATE wecom_corp_links SET last_sync_error = ?2 WHERE corp_id = ?1").bind(1, corp_id).bind(2, error).run();
  }
}

std::string create_install_state(store::Connection& c, std::int64_t admin_id, std::int64_t now, std::int64_t ttl_seconds) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not initialise");
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  std::string state(hex);
  // Expired states are of no use to anyone: drop them while we are here.
  c.cached("DELETE FROM wecom_install_states WHERE expires_at < ?1 AND used_at IS NULL").bind(1, now - 86'400).run();
  c.cached("INSERT INTO wecom_install_states (state, admin_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, state)
      .bind(2, admin_id)
      .bind(3, now)
      .bind(4, now + ttl_seconds)
      .run();
  return state;
}

std::optional<std::int64_t> install_state_admin(store::Connection& c, const std::string& state, std::int64_t now) {
  if (state.empty()) return std::nullopt;
  auto& s = c.cached("SELECT admin_id FROM wecom_install_states WHERE state = ?1 AND used_at IS NULL AND expires_at >= ?2");
  s.bind(1, state).bind(2, now);
  std::optional<std::int64_t> admin;
  if (s.step()) admin = s.integer(0);
  s.reset();
  return admin;
}

void finish_install_state(store::Connection& c, const std::string& state, const std::string& corp_id,
                          const std::string& outcome, std::int64_t now) {
  c.cached("UPDATE wecom_install_states SET used_at = ?2, corp_id = ?3, outcome = ?4 WHERE state = ?1")
      .bind(1, state)
      .bind(2, now)
      .bind(3, corp_id)
      .bind(4, outcome)
      .run();
}

namespace {
std::optional<InstallAttempt> read_attempt(store::Statement& s) {
  if (!s.step()) return std::nullopt;
  InstallAttempt a;
  a.corp_id = s.text(0);
  a.outcome = s.text(1);
  a.created_at = s.integer(2);
  if (!s.is_null(3)) a.used_at = s.integer(3);
  return a;
}
}  // namespace

std::optional<InstallAttempt> latest_install_attempt(store::Connection& c, std::int64_t admin_id) {
  store::Statement s(c,
                     "SELECT corp_id, outcome, created_at, used_at FROM wecom_install_states WHERE admin_id = ?1 "
                     "ORDER BY created_at DESC, expires_at DESC LIMIT 1");
  s.bind(1, admin_id);
  return read_attempt(s);
}

std::optional<InstallAttempt> install_attempt(store::Connection& c, const std::string& state) {
  store::Statement s(c, "SELECT corp_id, outcome, created_at, used_at FROM wecom_install_states WHERE state = ?1");
  s.bind(1, state);
  return read_attempt(s);
}

}  // namespace xiaoqu::community
