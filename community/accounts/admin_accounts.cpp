#include "community/accounts/admin_accounts.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "community/shared/audit.hpp"
#include "community/shared/masking.hpp"
#include "community/accounts/password.hpp"
#include "notify/phone_number.hpp"

namespace xiaoqu::community {
namespace {
using store::Connection;
using store::Statement;
using Kind = AdminError::Kind;

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void check_username(const std::string& u) {
  bool ok = u.size() >= 3 && u.size() <= 64 && std::all_of(u.begin(), u.end(), [](unsigned char c) {
              return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '@';
            });
  if (!ok) throw AdminError(Kind::invalid, "username", "用户名需为 3 到 64 个字母、数字或 _ - . @");
}

void check_role(const std::string& r) {
  if (r != kRoleOperator && r != kRolePropertyAdmin)
    throw AdminError(Kind::invalid, "role", "角色只能是 operator（运营）或 property_admin（物业管理员）");
}

void check_password(const std::string& p) {
  if (auto problem = password_problem(p)) throw AdminError(Kind::invalid, "password", *problem);
}

std::string check_display_name(const std::string& n) {
  if (code_points(n) > 40) throw AdminError(Kind::invalid, "display_name", "姓名最多 40 个字符");
  return n;
}

// Stored as the 11 national digits; empty means none.
std::string check_phone(const std::string& p) {
  if (p.empty()) return {};
  auto e164 = notify::normalize_phone(p);
  if (!e164) throw AdminError(Kind::invalid, "phone", "手机号格式不正确，应为 11 位中国大陆手机号");
  return e164->substr(3);
}

std::vector<std::int64_t> check_communities(Connection& c, std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (auto id : ids) {
    auto& s = c.cached("SELECT 1 FROM communities WHERE id = ?1");
    s.bind(1, id);
    bool exists = s.step();
    s.reset();
    if (!exists) throw AdminError(Kind::invalid, "communities", "小区 " + std::to_string(id) + " 不存在");
  }
  return ids;
}

void set_communities(Connection& c, std::int64_t admin_id, const std::vector<std::int64_t>& ids) {
  Statement(c, "DELETE FROM admin_communities WHERE admin_id = ?1").bind(1, admin_id).run();
  for (auto id : ids) Statement(c, "INSERT INTO admin_communities (admin_id, community_id) VALUES (?1, ?2)").bind(1, admin_id).bind(2, id).run();
}

std::vector<std::int64_t> communities_of(Connection& c, std::int64_t admin_id) {
  std::vector<std::int64_t> out;
  auto& s = c.cached("SELECT community_id FROM admin_communities WHERE admin_id = ?1 ORDER BY community_id");
  s.bind(1, admin_id);
  while (s.step()) out.push_back(s.integer(0));
  s.reset();
  return out;
}

constexpr const char* kColumns = "id, username, display_name, phone, role, disabled, created_at, updated_at";

AdminAccount read_row(Statement& s) {
  AdminAccount a;
  a.id = s.integer(0);
  a.username = s.text(1);
  a.display_name = s.text(2);
  a.phone = s.text(3);
  a.role = s.text(4);
  a.disabled = s.integer(5) != 0;
  a.created_at = s.integer(6);
  a.updated_at = s.integer(7);
  return a;
}

// The audit view of an account: no password, phone masked.
nlohmann::json audit_view(const AdminAccount& a) {
  return {{"username", a.username}, {"display_name", a.display_name}, {"phone", mask_phone(a.phone)},
          {"role", a.role},         {"disabled", a.disabled},         {"communities", a.communities}};
}

int enabled_operators(Connection& c) {
  Statement s(c, "SELECT COUNT(*) FROM admin_accounts WHERE role = 'operator' AND disabled = 0");
  s.step();
  return static_cast<int>(s.integer(0));
}

void end_sessions(Connection& c, std::int64_t admin_id) {
  Statement(c, "DELETE FROM admin_sessions WHERE admin_id = ?1").bind(1, admin_id).run();
}

std::string random_token(std::size_t bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}
}  // namespace

std::int64_t create_admin(Connection& c, const NewAdmin& a, const std::string& actor, std::int64_t now) {
  check_username(a.username);
  check_role(a.role);
  check_password(a.password);
  AdminAccount view;
  view.username = a.username;
  view.role = a.role;
  view.display_name = check_display_name(a.display_name);
  view.phone = check_phone(a.phone);
  if (a.role == kRolePropertyAdmin) view.communities = check_communities(c, a.communities);
  {
    Statement s(c, "SELECT 1 FROM admin_accounts WHERE username = ?1");
    s.bind(1, a.username);
    if (s.step()) throw AdminError(Kind::duplicate, "username", "用户名 " + a.username + " 已存在");
  }
  std::string hash = a.password_hash.empty() ? hash_password(a.password) : a.password_hash;
  Statement(c,
            "INSERT INTO admin_accounts (username, display_name, phone, role, password_hash, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)")
      .bind(1, a.username).bind(2, view.display_name).bind(3, view.phone).bind(4, a.role).bind(5, hash).bind(6, now)
      .run();
  std::int64_t id = c.last_insert_id();
  set_communities(c, id, view.communities);
  audit(c, {actor, "admin.create", "admin", id, 0, nullptr, audit_view(view)}, now);
  return id;
}

std::optional<AdminAccount> find_admin(Connection& c, std::int64_t id) {
  Statement s(c, std::string("SELECT ") + kColumns + " FROM admin_accounts WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  AdminAccount a = read_row(s);
  a.communities = communities_of(c, a.id);
  return a;
}

std::vector<AdminAccount> list_admins(Connection& c) {
  std::vector<AdminAccount> out;
  Statement s(c, std::string("SELECT ") + kColumns + " FROM admin_accounts ORDER BY id");
  while (s.step()) out.push_back(read_row(s));
  for (auto& a : out) a.communities = communities_of(c, a.id);
  return out;
}

void update_admin(Connection& c, std::int64_t id, const AdminChanges& ch, const std::string& actor, std::int64_t now) {
  auto current = find_admin(c, id);
  if (!current) throw AdminError(Kind::not_found, "", "管理员不存在");
  AdminAccount next = *current;
  if (ch.role) {
    check_role(*ch.role);
    next.role = *ch.role;
  }
  if (ch.display_name) next.display_name = check_display_name(*ch.display_name);
  if (ch.phone) next.phone = check_phone(*ch.phone);
  if (ch.password) check_password(*ch.password);
  if (ch.disabled) next.disabled = *ch.disabled;
  if (ch.communities) next.communities = check_communities(c, *ch.communities);
  if (next.role == kRoleOperator) next.communities.clear();

  bool was_active_operator = current->is_operator() && !current->disabled;
  bool is_active_operator = next.is_operator() && !next.disabled;
  if (was_active_operator && !is_active_operator && enabled_operators(c) <= 1)
    throw AdminError(Kind::conflict, ch.disabled ? "disabled" : "role", "不能停用或降级最后一个启用的运营账号");

  Statement(c,
            "UPDATE admin_accounts SET role = ?2, display_name = ?3, phone = ?4, disabled = ?5, updated_at = ?6 "
            "WHERE id = ?1")
      .bind(1, id).bind(2, next.role).bind(3, next.display_name).bind(4, next.phone).bind(5, next.disabled ? 1 : 0)
      .bind(6, now).run();
  if (ch.password)
    Statement(c, "UPDATE admin_accounts SET password_hash = ?2 WHERE id = ?1").bind(1, id).bind(2, ch.password_hash.empty() ? hash_password(*ch.password) : ch.password_hash).run();
  if (next.communities != current->communities) set_communities(c, id, next.communities);
  // Whoever held this account's sessions must sign in again under the new terms.
  if (ch.password || next.disabled || next.role != current->role) end_sessions(c, id);

  auto after = audit_view(next);
  if (ch.password) after["password_reset"] = true;  // that it changed, never what to
  audit(c, {actor, "admin.update", "admin", id, 0, audit_view(*current), after}, now);
}

void delete_admin(Connection& c, std::int64_t id, const std::string& actor, std::int64_t now) {
  auto current = find_admin(c, id);
  if (!current) throw AdminError(Kind::not_found, "", "管理员不存在");
  if (current->is_operator() && !current->disabled && enabled_operators(c) <= 1)
    throw AdminError(Kind::conflict, "", "不能删除最后一个启用的运营账号");
  Statement(c, "DELETE FROM admin_accounts WHERE id = ?1").bind(1, id).run();
  audit(c, {actor, "admin.delete", "admin", id, 0, audit_view(*current), nullptr}, now);
}

std::optional<LoginRecord> login_record(Connection& c, const std::string& username) {
  auto& s = c.cached("SELECT id, password_hash, disabled FROM admin_accounts WHERE username = ?1");
  s.bind(1, username);
  std::optional<LoginRecord> r;
  if (s.step()) r = LoginRecord{s.integer(0), s.text(1), s.integer(2) != 0};
  s.reset();
  return r;
}

void replace_password_hash(Connection& c, std::int64_t id, const std::string& hash, std::int64_t now) {
  Statement(c, "UPDATE admin_accounts SET password_hash = ?2 WHERE id = ?1").bind(1, id).bind(2, hash).run();
}

std::string session_token_hash(std::string_view cookie_value) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(cookie_value.data()), cookie_value.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

NewSession create_session(Connection& c, std::int64_t admin_id, std::int64_t now, std::int64_t absolute_ttl_seconds) {
  NewSession s;
  s.cookie_value = random_token(32);
  s.csrf_token = random_token(32);
  s.token_hash = session_token_hash(s.cookie_value);
  Statement(c,
            "INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, created_at, expires_at, last_seen_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?4)")
      .bind(1, s.token_hash).bind(2, admin_id).bind(3, s.csrf_token).bind(4, now).bind(5, now + absolute_ttl_seconds)
      .run();
  return s;
}

std::optional<SessionRecord> find_session(Connection& c, const std::string& token_hash) {
  auto& s = c.cached(
      "SELECT token_hash, csrf_token, admin_id, created_at, expires_at, last_seen_at FROM admin_sessions WHERE token_hash = ?1");
  s.bind(1, token_hash);
  std::optional<SessionRecord> r;
  if (s.step()) r = SessionRecord{s.text(0), s.text(1), s.integer(2), s.integer(3), s.integer(4), s.integer(5)};
  s.reset();
  return r;
}

void touch_session(Connection& c, const std::string& token_hash, std::int64_t now) {
  auto& s = c.cached("UPDATE admin_sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2");
  s.bind(1, token_hash).bind(2, now);
  s.run();
}

void delete_session(Connection& c, const std::string& token_hash) {
  auto& s = c.cached("DELETE FROM admin_sessions WHERE token_hash = ?1");
  s.bind(1, token_hash);
  s.run();
}

int delete_expired_sessions(Connection& c, std::int64_t now, std::int64_t idle_seconds) {
  Statement(c, "DELETE FROM admin_sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2").bind(1, now).bind(2, now - idle_seconds).run();
  return c.changes();
}

bool tokens_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace xiaoqu::community
