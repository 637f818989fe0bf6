// Sign-in, sessions, CSRF, throttling and admin accounts over real sockets.
#include <chrono>
#include <thread>

#include "tests/gateway/api/admin_fixture.hpp"

namespace xiaoqu::testing {
namespace {
using nlohmann::json;

struct AdminAuth : ::testing::Test {
  explicit AdminAuth(json admin = json::object()) : server(admin_patch(std::move(admin))) {
    community_a = add_community(server, "腾讯小区");
    operator_id = add_admin(server, "root", "operator", {}, kOperatorPassword);
    admin_a = add_admin(server, "wuye.a", "property_admin", {community_a});
  }
  TestServer server;
  std::int64_t community_a = 0, operator_id = 0, admin_a = 0;
};

TEST_F(AdminAuth, LoginSetsAHardenedCookieAndMeShowsTheAdmin) {
  auto c = server.client();
  auto r = login(c, "wuye.a", kAdminPassword);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string set = r->get_header_value("Set-Cookie");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos) << set;
  EXPECT_NE(set.find("Path=/"), std::string::npos) << set;
  EXPECT_EQ(set.find("Secure"), std::string::npos) << "cookie_secure is false here: " << set;
  std::string cookie = cookie_of(r);
  ASSERT_GE(cookie.size(), 43u);  // 32 random bytes, base64url
  auto body = json::parse(r->body);
  EXPECT_EQ(body["admin"]["username"], "wuye.a");
  EXPECT_EQ(body["admin"]["role"], "property_admin");
  EXPECT_EQ(body["admin"]["phone"], "189****21");
  EXPECT_FALSE(body["csrf_token"].get<std::string>().empty());
  // The store keeps the SHA-256 of the cookie, never the cookie.
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM admin_sessions WHERE token_hash = '" + community::session_token_hash(cookie) + "'"), 1);
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM admin_sessions WHERE token_hash = '" + cookie + "'"), 0);

  auto me = c.Get("/api/v1/auth/me", Session{cookie, ""}.headers(false));
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200) << me->body;
  auto m = json::parse(me->body);
  EXPECT_EQ(m["admin"]["id"], admin_a);
  EXPECT_EQ(m["csrf_token"], body["csrf_token"]);
  ASSERT_EQ(m["communities"].size(), 1u);
  EXPECT_EQ(m["communities"][0]["name"], "腾讯小区");
  EXPECT_EQ(me->get_header_value("Cache-Control"), "no-store");
}

TEST_F(AdminAuth, SecureCookieWhenConfigured) {
  TestServer secure(admin_patch({{"cookie_secure", true}}));
  add_admin(secure, "root", "operator", {}, kOperatorPassword);
  auto c = secure.client();
  auto r = login(c, "root", kOperatorPassword);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(AdminAuth, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  auto c = server.client();
  auto wrong = login(c, "wuye.a", "not-the-password");
  auto unknown = login(c, "nobody", "not-the-password");
  ASSERT_TRUE(wrong && unknown);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(wrong->body, unknown->body);
  EXPECT_EQ(error_code(wrong), "invalid_credentials");
  EXPECT_TRUE(wrong->get_header_value("Set-Cookie").empty());
  auto missing = c.Post("/api/v1/auth/login", json{{"username", "wuye.a"}}.dump(), "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(json::parse(missing->body)["error"]["field"], "password");
}

TEST_F(AdminAuth, DisabledAccountCannotSignIn) {
  server.app().database().write([&](store::Connection& c) {
    community::AdminChanges ch;
    ch.disabled = true;
    community::update_admin(c, admin_a, ch, "system", std::time(nullptr));
  });
  auto c = server.client();
  auto r = login(c, "wuye.a", kAdminPassword);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(error_code(r), "invalid_credentials");
}

TEST_F(AdminAuth, NoSessionIsUnauthenticated) {
  auto c = server.client();
  for (const char* cookie : {"", "xiaoqu_session=forged-token-value", "other=1"}) {
    httplib::Headers h;
    if (*cookie) h.emplace("Cookie", cookie);
    auto r = c.Get("/api/v1/auth/me", h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << cookie;
    EXPECT_EQ(error_code(r), "unauthenticated");
  }
}

TEST_F(AdminAuth, LogoutEndsTheSessionAndClearsTheCookie) {
  auto c = server.client();
  Session s = sign_in(c, "wuye.a", kAdminPassword);
  auto out = c.Post("/api/v1/auth/logout", s.headers(), "", "application/json");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  auto me = c.Get("/api/v1/auth/me", s.headers());
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM admin_sessions"), 0);
}

TEST_F(AdminAuth, StateChangesNeedTheSessionsCsrfToken) {
  auto c = server.client();
  Session s = sign_in(c, "wuye.a", kAdminPassword);
  Session other = sign_in(c, "root", kOperatorPassword);
  auto missing = c.Post("/api/v1/auth/logout", s.headers(false), "", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(error_code(missing), "csrf");
  // Another session's token is not this session's token.
  httplib::Headers wrong{{"Cookie", "xiaoqu_session=" + s.cookie}, {"X-CSRF-Token", other.csrf}};
  auto bad = c.Post("/api/v1/auth/logout", wrong, "", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 403);
  EXPECT_EQ(error_code(bad), "csrf");
  // Reads need no token; the session survived the refused attempts.
  auto me = c.Get("/api/v1/auth/me", s.headers(false));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  auto ok = c.Post("/api/v1/auth/logout", s.headers(), "", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 204);
}

TEST_F(AdminAuth, CrossSiteLoginIsRefusedByOrigin) {
  auto c = server.client();
  auto evil = login(c, "wuye.a", kAdminPassword, {{"Origin", "https://evil.example"}});
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status, 403);
  EXPECT_EQ(error_code(evil), "cross_origin");
  EXPECT_TRUE(evil->get_header_value("Set-Cookie").empty());
  auto same = login(c, "wuye.a", kAdminPassword, {{"Origin", "http://127.0.0.1:" + std::to_string(server.port())}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;
}

TEST_F(AdminAuth, FiveFailuresForAUsernameLockItWithRetryAfter) {
  auto c = server.client();
  for (int i = 0; i < 5; ++i) {
    auto r = login(c, "wuye.a", "wrong-password-" + std::to_string(i));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 401) << i;
  }
  auto locked = login(c, "wuye.a", kAdminPassword);  // even the right password
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  EXPECT_EQ(error_code(locked), "too_many_attempts");
  int retry = std::stoi(locked->get_header_value("Retry-After", 0).empty() ? "0" : locked->get_header_value("Retry-After"));
  EXPECT_GT(retry, 800);
  EXPECT_LE(retry, 900);
  // Another username from the same address is not locked by these five.
  auto other = login(c, "root", kOperatorPassword);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

TEST_F(AdminAuth, SuccessResetsTheUsernameCount) {
  auto c = server.client();
  for (int i = 0; i < 4; ++i) ASSERT_EQ(login(c, "wuye.a", "wrong-password")->status, 401);
  sign_in(c, "wuye.a", kAdminPassword);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(login(c, "wuye.a", "wrong-password")->status, 401);
  auto r = login(c, "wuye.a", kAdminPassword);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "4 + 4 failures around a success are not 5 in a row";
}

TEST_F(AdminAuth, TwentyFailuresFromOneAddressLockIt) {
  auto c = server.client();
  for (int i = 0; i < 20; ++i) {
    auto r = login(c, "guess" + std::to_string(i), "wrong-password");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 401) << i;
  }
  auto r = login(c, "root", kOperatorPassword);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_FALSE(r->get_header_value("Retry-After").empty());
}

// Behind nginx every login comes from the proxy's address: only the client's own address may
// be locked, and only a listed proxy is believed about it.
TEST(AdminAuthBehindAProxy, TheLockoutCountsTheForwardedClientNotTheProxy) {
  auto patch = admin_patch();
  patch["server"] = {{"trusted_proxies", {"127.0.0.1"}}};
  TestServer server(patch);
  add_admin(server, "root", "operator", {}, kOperatorPassword);
  auto c = server.client();
  const httplib::Headers attacker = {{"X-Forwarded-For", "203.0.113.9"}};
  for (int i = 0; i < 20; ++i) ASSERT_EQ(login(c, "guess" + std::to_string(i), "wrong-password", attacker)->status, 401) << i;
  EXPECT_EQ(login(c, "root", kOperatorPassword, attacker)->status, 429);
  // Another user behind the same proxy signs in.
  auto other = login(c, "root", kOperatorPassword, {{"X-Forwarded-For", "198.51.100.20"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << other->body;
}

TEST(AdminAuthBehindAProxy, WithoutTrustedProxiesTheHeaderIsIgnored) {
  TestServer server(admin_patch());
  add_admin(server, "root", "operator", {}, kOperatorPassword);
  auto c = server.client();
  // A new made-up address on every try does not escape the lockout of the real one.
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(login(c, "guess" + std::to_string(i), "wrong-password", {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}})->status, 401);
  EXPECT_EQ(login(c, "root", kOperatorPassword, {{"X-Forwarded-For", "198.51.100.20"}})->status, 429);
}

TEST(AdminAuthBehindAProxy, ABadTrustedProxyEntryStopsTheStartWithItsKey) {
  auto patch = admin_patch();
  patch["server"] = {{"trusted_proxies", {"127.0.0.1", "nginx"}}};
  try {
    TestServer server(patch);
    ADD_FAILURE() << "started with a bad trusted_proxies entry";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key(), "server.trusted_proxies");
    EXPECT_NE(std::string(e.what()).find("\"nginx\""), std::string::npos) << e.what();
  }
}

struct AdminSessionExpiry : AdminAuth {
  AdminSessionExpiry() : AdminAuth({{"session_idle_seconds", 2}, {"session_ttl_seconds", 5}}) {}
};

TEST_F(AdminSessionExpiry, IdleSessionEnds) {
  auto c = server.client();
  Session s = sign_in(c, "wuye.a", kAdminPassword);
  ASSERT_EQ(c.Get("/api/v1/auth/me", s.headers())->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  auto r = c.Get("/api/v1/auth/me", s.headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(error_code(r), "unauthenticated");
}

TEST_F(AdminSessionExpiry, ActiveSessionEndsAtItsAbsoluteExpiry) {
  // The idle limit is 2 s; the session is used every 0.4 s, outlives the idle limit, and
  // still ends 5 s after login.
  auto c = server.client();
  Session s = sign_in(c, "wuye.a", kAdminPassword);
  auto start = std::chrono::steady_clock::now();
  int last = 200;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(8000) && last == 200) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    last = c.Get("/api/v1/auth/me", s.headers())->status;
  }
  EXPECT_EQ(last, 401);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(3500)) << "kept alive past the idle limit";
}

TEST_F(AdminAuth, UnknownPathIs404AndWrongMethodIs405) {
  auto c = server.client();
  auto r = c.Get("/api/v1/no/such/thing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(error_code(r), "route_not_found");
  auto m = c.Delete("/api/v1/auth/me");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 405);
  EXPECT_EQ(error_code(m), "method_not_allowed");
  EXPECT_EQ(m->get_header_value("Allow"), "GET");
}

TEST_F(AdminAuth, OperatorManagesAccountsWithAudit) {
  auto c = server.client();
  Session op = sign_in(c, "root", kOperatorPassword);
  auto post = [&](const json& body) { return c.Post("/api/v1/admins", op.headers(), body.dump(), "application/json"); };

  auto weak = post({{"username", "wuye.b"}, {"password", "short"}, {"role", "property_admin"}});
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->status, 400);
  EXPECT_EQ(json::parse(weak->body)["error"]["field"], "password");
  auto dup = post({{"username", "wuye.a"}, {"password", "long-enough-pw"}, {"role", "property_admin"}});
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 409);
  auto no_community = post({{"username", "wuye.b"}, {"password", "long-enough-pw"}, {"role", "property_admin"}, {"communities", {999}}});
  ASSERT_TRUE(no_community);
  EXPECT_EQ(no_community->status, 400);
  EXPECT_EQ(json::parse(no_community->body)["error"]["field"], "communities");
  auto bad_role = post({{"username", "wuye.b"}, {"password", "long-enough-pw"}, {"role", "king"}});
  ASSERT_TRUE(bad_role);
  EXPECT_EQ(bad_role->status, 400);
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM admin_accounts"), 2) << "refused creations change nothing";

  auto made = post({{"username", "wuye.b"}, {"password", "long-enough-pw"}, {"role", "property_admin"},
                    {"display_name", "王经理"}, {"phone", "189 1310 1221"}, {"communities", {community_a}}});
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  auto created = json::parse(made->body)["admin"];
  std::int64_t id = created["id"];
  EXPECT_EQ(created["phone"], "189****21");
  EXPECT_EQ(created["communities"], json::array({community_a}));

  auto list = c.Get("/api/v1/admins", op.headers());
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  auto items = json::parse(list->body)["items"];
  EXPECT_EQ(items.size(), 3u);
  EXPECT_EQ(list->body.find("18913101221"), std::string::npos) << "phones masked in lists";
  EXPECT_EQ(list->body.find("argon2"), std::string::npos);

  // The new admin signs in; disabling them ends that session.
  Session b = sign_in(c, "wuye.b", "long-enough-pw");
  auto off = c.Patch("/api/v1/admins/" + std::to_string(id), op.headers(), json{{"disabled", true}}.dump(), "application/json");
  ASSERT_TRUE(off);
  ASSERT_EQ(off->status, 200) << off->body;
  EXPECT_EQ(c.Get("/api/v1/auth/me", b.headers())->status, 401);
  auto unknown_field = c.Patch("/api/v1/admins/" + std::to_string(id), op.headers(), json{{"is_root", true}}.dump(), "application/json");
  EXPECT_EQ(unknown_field->status, 400);
  auto reset = c.Patch("/api/v1/admins/" + std::to_string(id), op.headers(),
                       json{{"disabled", false}, {"password", "brand-new-password"}}.dump(), "application/json");
  ASSERT_EQ(reset->status, 200) << reset->body;
  EXPECT_EQ(login(c, "wuye.b", "long-enough-pw")->status, 401);
  sign_in(c, "wuye.b", "brand-new-password");

  auto missing = c.Delete("/api/v1/admins/9999", op.headers());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(error_code(missing), "not_found");
  auto self = c.Delete("/api/v1/admins/" + std::to_string(operator_id), op.headers());
  EXPECT_EQ(self->status, 409);
  auto demote_last = c.Patch("/api/v1/admins/" + std::to_string(operator_id), op.headers(),
                             json{{"role", "property_admin"}}.dump(), "application/json");
  EXPECT_EQ(demote_last->status, 409) << "the last enabled operator stays";
  auto del = c.Delete("/api/v1/admins/" + std::to_string(id), op.headers());
  EXPECT_EQ(del->status, 204);
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM admin_accounts WHERE id = " + std::to_string(id)), 0);

  // Every change audited by its actor, never with a password or a whole phone.
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'admin' AND entity_id = " + std::to_string(id) +
                         " AND actor = 'admin:" + std::to_string(operator_id) + "'"),
            4);  // create, disable, reset, delete
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM audit_log WHERE before || after LIKE '%long-enough%' OR before || after LIKE "
                         "'%brand-new%' OR before || after LIKE '%argon2%' OR before || after LIKE '%18913101221%'"),
            0);
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.update' AND after LIKE '%password_reset%'"), 1);
}

TEST_F(AdminAuth, PropertyAdminCannotManageAccounts) {
  auto c = server.client();
  Session a = sign_in(c, "wuye.a", kAdminPassword);
  auto r = c.Get("/api/v1/admins", a.headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(error_code(r), "forbidden");
  auto p = c.Patch("/api/v1/admins/" + std::to_string(admin_a), a.headers(), json{{"role", "operator"}}.dump(), "application/json");
  EXPECT_EQ(p->status, 403);
  EXPECT_EQ(server.count("SELECT COUNT(*) FROM admin_accounts WHERE role = 'operator'"), 1);
}

TEST_F(AdminAuth, UploadRoutesAcceptLargerBodiesThanTheRest) {
  // 2 MiB: over server.max_body_bytes (1 MiB) but under max_upload_bytes (21 MiB).
  std::string big(2 * 1024 * 1024, 'x');
  auto c = server.client();
  auto upload = c.Post("/api/v1/auth/login", big, "application/json");
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 400) << "read whole, then refused as JSON";
  auto other = c.Post("/healthz", big, "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 413);
}

}  // namespace
}  // namespace xiaoqu::testing
