#pragma once
// The resident side's web sessions: an OAuth state bound to a community (single use,
// short-lived), and after the code exchange a session cookie naming the WeChat user, kept
// as the SHA-256 of the cookie so a copy of the database opens no session.
#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

/// 32 random bytes as base64url without padding (43 characters).
std::string random_url_token();
/// 32 random letters and digits (OAuth state must be [A-Za-z0-9]{1,128}).
std::string random_alnum_token();

/// A new state for the community's entry link.
std::string create_oauth_state(store::Connection& c, std::int64_t community_id, const std::string& appid, std::int64_t ttl_seconds,
                               std::int64_t now);

struct OAuthStateRecord {
  std::int64_t community_id = 0;
  std::string appid;
  bool expired = false;
  bool used = false;
  std::string session_hash;  ///< the session its first use opened
};
std::optional<OAuthStateRecord> find_oauth_state(store::Connection& c, const std::string& state, std::int64_t now);
/// Marks the state used by the session it opened. False when it was already used (a race).
bool use_oauth_state(store::Connection& c, const std::string& state, const std::string& session_hash, std::int64_t now);

struct ResidentSession {
  std::string cookie_value;  ///< only when just created
  std::string token_hash, csrf_token;
  std::int64_t community_id = 0;
  std::string appid, openid;
  std::int64_t expires_at = 0;
};
ResidentSession create_resident_session(store::Connection& c, std::int64_t community_id, const std::string& appid,
                                        const std::string& openid, std::int64_t ttl_seconds, std::int64_t now);
/// The live session of a cookie value; nothing when unknown or expired.
std::optional<ResidentSession> find_resident_session(store::Connection& c, std::string_view cookie_value, std::int64_t now);
/// Drops expired sessions and states.
void purge_resident_sessions(store::Connection& c, std::int64_t now);

}  // namespace xiaoqu::community
