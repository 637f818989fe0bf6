#pragma once
// Signing in to a TestServer's admin API for the records tests: an account written straight
// into the store (argon2id with libsodium's minimum cost, so tests stay fast; the login
// verifies whatever cost the hash names), then the real login endpoint for the session
// cookie and the CSRF token.
#include <httplib.h>
#include <sodium.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/sqlite.hpp"
#include "tests/support/test_server.hpp"

namespace xiaoqu::testing {

struct AdminSession {
  std::string cookie;  ///< "xiaoqu_session=..."
  std::string csrf;
  httplib::Headers headers() const { return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}; }
};

inline std::int64_t create_admin(const TestServer& server, const std::string& username, const std::string& password,
                                 bool is_operator, const std::vector<std::int64_t>& communities = {}) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium init failed");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                            crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("hash failed");
  store::Connection c(server.db_path().string());
  store::Statement ins(c,
                       "INSERT INTO admin_accounts (username, role, password_hash, created_at, updated_at) "
                       "VALUES (?1, ?2, ?3, 1, 1)");
  ins.bind(1, username).bind(2, is_operator ? "operator" : "property_admin").bind(3, std::string(hash));
  ins.run();
  auto id = c.last_insert_id();
  for (auto cid : communities) {
    store::Statement link(c, "INSERT INTO admin_communities (admin_id, community_id) VALUES (?1, ?2)");
    link.bind(1, id).bind(2, cid);
    link.run();
  }
  return id;
}

inline AdminSession login(const TestServer& server, const std::string& username, const std::string& password) {
  auto cli = server.client();
  nlohmann::json body = {{"username", username}, {"password", password}};
  auto res = cli.Post("/api/v1/auth/login", body.dump(), "application/json");
  if (!res || res->status != 200) throw std::runtime_error("login failed: " + (res ? res->body : std::string("no answer")));
  AdminSession s;
  auto set_cookie = res->get_header_value("Set-Cookie");
  s.cookie = set_cookie.substr(0, set_cookie.find(';'));
  s.csrf = nlohmann::json::parse(res->body).at("csrf_token").get<std::string>();
  return s;
}

}  // namespace xiaoqu::testing
