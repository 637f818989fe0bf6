#include "community/verification/resident_sessions.hpp"

#include <sodium.h>

#include "community/accounts/admin_accounts.hpp"

namespace xiaoqu::community {

std::string random_url_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string random_alnum_token() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(32, 'A');
  for (auto& ch : out) ch = kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)];
  return out;
}

std::string create_oauth_state(store::Connection& c, std::int64_t community_id, const std::string& appid, std::int64_t ttl_seconds,
                               std::int64_t now) {
  std::string state = random_alnum_token();
  store::Statement(c, "INSERT INTO oauth_states (state, community_id, appid, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, state)
      .bind(2, community_id)
      .bind(3, appid)
      .bind(4, now)
      .bind(5, now + ttl_seconds)
      .run();
  return state;
}

std::optional<OAuthStateRecord> find_oauth_state(store::Connection& c, const std::string& state, std::int64_t now) {
  store::Statement s(c, "SELECT community_id, appid, expires_at, used_at IS NOT NULL, session_hash FROM oauth_states WHERE state = ?1");
  s.bind(1, state);
  if (!s.step()) return std::nullopt;
  OAuthStateRecord r;
  r.community_id = s.integer(0);
  r.appid = s.text(1);
  r.expired = now > s.integer(2);
  r.used = s.integer(3) != 0;
  r.session_hash = s.text(4);
  return r;
}

bool use_oauth_state(store::Connection& c, const std::string& state, const std::string& session_hash, std::int64_t now) {
  store::Statement(c, "UPDATE oauth_states SET used_at = ?2, session_hash = ?3 WHERE state = ?1 AND used_at IS NULL")
      .bind(1, state)
      .bind(2, now)
      .bind(3, session_hash)
      .run();
  return c.changes() == 1;
}

ResidentSession create_resident_session(store::Connection& c, std::int64_t community_id, const std::string& appid,
                                        const std::string& openid, std::int64_t ttl_seconds, std::int64_t now) {
  ResidentSession s;
  s.cookie_value = random_url_token();
  s.token_hash = session_token_hash(s.cookie_value);
  s.csrf_token = random_url_token();
  s.community_id = community_id;
  s.appid = appid;
  s.openid = openid;
  s.expires_at = now + ttl_seconds;
  store::Statement(c,
                   "INSERT INTO resident_sessions (token_hash, community_id, appid, openid, csrf_token, created_at, expires_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, s.token_hash)
      .bind(2, community_id)
      .bind(3, appid)
      .bind(4, openid)
      .bind(5, s.csrf_token)
      .bind(6, now)
      .bind(7, s.expires_at)
      .run();
  return s;
}

std::optional<ResidentSession> find_resident_session(store::Connection& c, std::string_view cookie_value, std::int64_t now) {
  if (cookie_value.empty() || cookie_value.size() > 128) return std::nullopt;
  std::string hash = session_token_hash(cookie_value);
  store::Statement s(c, "SELECT community_id, appid, openid, csrf_token, expires_at FROM resident_sessions WHERE token_hash = ?1");
  s.bind(1, hash);
  if (!s.step() || s.integer(4) < now) return std::nullopt;
  ResidentSession r;
  r.token_hash = hash;
  r.community_id = s.integer(0);
  r.appid = s.text(1);
  r.openid = s.text(2);
  r.csrf_token = s.text(3);
  r.expires_at = s.integer(4);
  return r;
}

void purge_resident_sessions(store::Connection& c, std::int64_t now) {
  store::Statement(c, "DELETE FROM resident_sessions WHERE expires_at < ?1").bind(1, now).run();
  store::Statement(c, "DELETE FROM oauth_states WHERE expires_at < ?1").bind(1, now - 86'400).run();
}

}  // namespace xiaoqu::community
