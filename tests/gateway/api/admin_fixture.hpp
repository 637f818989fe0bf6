#pragma once
// A gateway with admin accounts and communities, and a client that signs in the way a
// browser does: the session cookie plus the X-CSRF-Token header on changes.
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "community/accounts/admin_accounts.hpp"
#include "tests/support/test_server.hpp"

namespace xiaoqu::testing {

inline constexpr const char* kOperatorPassword = "operator-secret-42";
inline constexpr const char* kAdminPassword = "property-secret-42";

/// The admin API's settings for tests: plain http, so no Secure cookie.
inline nlohmann::json admin_patch(nlohmann::json admin = nlohmann::json::object()) {
  nlohmann::json a = {{"cookie_secure", false}};
  a.merge_patch(admin);
  return {{"admin", a}};
}

struct Session {
  std::string cookie, csrf;
  httplib::Headers headers(bool with_csrf = true) const {
    httplib::Headers h{{"Cookie", "xiaoqu_session=" + cookie}};
    if (with_csrf) h.emplace("X-CSRF-Token", csrf);
    return h;
  }
};

inline std::int64_t add_community(TestServer& s, const std::string& name) {
  std::int64_t id = 0;
  s.app().database().write([&](store::Connection& c) {
    store::Statement(c, "INSERT INTO communities (name, created_at, updated_at) VALUES (?1, 1, 1)").bind(1, name).run();
    id = c.last_insert_id();
  });
  return id;
}

inline std::int64_t add_admin(TestServer& s, const std::string& username, const std::string& role,
                              std::vector<std::int64_t> communities = {}, const std::string& password = kAdminPassword) {
  std::int64_t id = 0;
  community::NewAdmin a;
  a.username = username;
  a.password = password;
  a.role = role;
  a.communities = std::move(communities);
  a.phone = "18913101221";
  s.app().database().write([&](store::Connection& c) { id = community::create_admin(c, a, "system", std::time(nullptr)); });
  return id;
}

/// A session made in the store directly (no password hashing), as login would make it.
inline Session open_session(TestServer& s, std::int64_t admin_id) {
  community::NewSession ns;
  s.app().database().write([&](store::Connection& c) { ns = community::create_session(c, admin_id, std::time(nullptr), 3600); });
  return {ns.cookie_value, ns.csrf_token};
}

/// The cookie value out of a Set-Cookie header.
inline std::string cookie_of(const httplib::Result& r) {
  std::string set = r->get_header_value("Set-Cookie");
  auto eq = set.find('='), semi = set.find(';');
  if (set.rfind("xiaoqu_session=", 0) != 0 || semi == std::string::npos) return {};
  return set.substr(eq + 1, semi - eq - 1);
}

inline httplib::Result login(httplib::Client& c, const std::string& username, const std::string& password,
                             const httplib::Headers& extra = {}) {
  return c.Post("/api/v1/auth/login", extra, nlohmann::json{{"username", username}, {"password", password}}.dump(), "application/json");
}

/// Signs in through the API; fails the test when that does not work.
inline Session sign_in(httplib::Client& c, const std::string& username, const std::string& password) {
  auto r = login(c, username, password);
  EXPECT_TRUE(r);
  if (!r) return {};
  EXPECT_EQ(r->status, 200) << r->body;
  auto body = nlohmann::json::parse(r->body, nullptr, false);
  return {cookie_of(r), body.is_object() ? body.value("csrf_token", "") : ""};
}

inline std::string error_code(const httplib::Result& r) {
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("error")) return {};
  return j["error"].value("code", "");
}

}  // namespace xiaoqu::testing
