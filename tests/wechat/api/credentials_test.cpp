// Token fetchers against the sandbox: single flight, refused tokens, fail-fast and transient
// errors, component tickets, authorizer refresh-token rotation.
#include "wechat/credentials.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <map>
#include <thread>

#include "api_sandbox.hpp"
#include "sandbox/tickets.hpp"
#include "wechat/api/component.hpp"
#include "wechat/api/tag.hpp"
#include "wechat/api/user.hpp"

namespace xiaoqu::wechat {
namespace {
using testing::ApiSandbox;
using testing::kComponentAppid;
using testing::kComponentSecret;
using testing::kMpAppid;
using testing::platform_error_of;

const std::string kStableToken = "calls /cgi-bin/stable_token";
const std::string kIssued = std::string("token_issued mp ") + kMpAppid;

TEST(WechatApiCredentials, ThousandConcurrentCallersOfAColdTokenCauseOneFetch) {
  // The sandbox serves 8 connections at a time: a patient read keeps queued calls from timing out and retrying.
  ApiSandbox s(nlohmann::json{{"http", {{"read_timeout_ms", 60'000}}}});
  // A slow token endpoint keeps the token cold while every thread piles onto it.
  sandbox::Fault slow;
  slow.latency_ms = 300;
  s.sb->set_fault("/cgi-bin/stable_token", slow);
  constexpr int kThreads = 64;
  std::latch start(kThreads);
  std::atomic<int> next{0}, ok{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&] {
      start.arrive_and_wait();
      while (next.fetch_add(1) < 1000) {
        try {
          api::get_tags(*s.api, s.mp);
          ++ok;
        } catch (const std::exception& e) {
          ++failed;
          ADD_FAILURE() << e.what();
        }
      }
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(ok.load(), 1000);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(s.counter(kIssued), 1u);
  EXPECT_EQ(s.counter(kStableToken), 1u);
  EXPECT_EQ(s.counter("calls /cgi-bin/tags/get"), 1000u);
}

TEST(WechatApiCredentials, TokenInvalidatedBehindOurBackIsRefreshedOnceAndTheCallSucceeds) {
  ApiSandbox s;
  api::get_tags(*s.api, s.mp);
  ASSERT_EQ(s.counter(kStableToken), 1u);
  std::string before = s.mp_token();
  s.sb->invalidate_tokens("mp", kMpAppid);

  EXPECT_NO_THROW(api::get_tags(*s.api, s.mp));
  EXPECT_EQ(s.counter("calls /cgi-bin/tags/get"), 3u);  // the first call, the refused one and its retry
  EXPECT_EQ(s.counter(kStableToken), 2u);
  EXPECT_EQ(s.counter(kIssued), 2u);
  EXPECT_NE(s.mp_token(), before);
}

TEST(WechatApiCredentials, RefusedTokenIsReplacedWithForceRefresh) {
  ApiSandbox s;
  api::get_tags(*s.api, s.mp);
  // The platform still holds the token live: only force_refresh=true yields a new one.
  sandbox::Fault f;
  f.errcode = 40001;
  f.remaining = 1;
  s.sb->set_fault("/cgi-bin/tags/get", f);
  EXPECT_NO_THROW(api::get_tags(*s.api, s.mp));
  EXPECT_EQ(s.counter(kStableToken), 2u);
  EXPECT_EQ(s.counter(kIssued), 2u);
}

TEST(WechatApiCredentials, RefusedTwiceIsNotALoop) {
  ApiSandbox s;
  sandbox::Fault f;
  f.errcode = 40001;
  s.sb->set_fault("/cgi-bin/tags/get", f);
  auto e = platform_error_of([&] { api::get_tags(*s.api, s.mp); });
  EXPECT_EQ(e.errcode(), 40001);
  EXPECT_EQ(s.counter("calls /cgi-bin/tags/get"), 2u);
  EXPECT_EQ(s.counter(kStableToken), 2u);
}

TEST(WechatApiCredentials, IpNotWhitelistedFailsFast) {
  ApiSandbox s;
  sandbox::Fault f;
  f.errcode = 40164;
  f.errmsg = "invalid ip 10.0.0.1, not in whitelist";
  s.sb->set_fault("/cgi-bin/stable_token", f);
  auto e = platform_error_of([&] { api::get_tags(*s.api, s.mp); });
  EXPECT_EQ(e.kind(), PlatformError::Kind::platform);
  EXPECT_EQ(e.errcode(), 40164);
  EXPECT_EQ(s.counter(kStableToken), 1u);
  EXPECT_EQ(s.counter("calls /cgi-bin/tags/get"), 0u);
}

TEST(WechatApiCredentials, WrongSecretIsAConfigurationError) {
  ApiSandbox s;
  auto key = define_official_account(*s.tokens, *s.api, kMpAppid, "not-the-secret");
  auto e = platform_error_of([&] { api::get_tags(*s.api, key); });
  EXPECT_EQ(e.errcode(), 40125);
  EXPECT_EQ(s.counter(kStableToken), 1u);
}

TEST(WechatApiCredentials, QuotaAndBusyBackOffAndSucceedWhenTheFaultClears) {
  for (long long code : {45009LL, -1LL}) {
    ApiSandbox s;
    sandbox::Fault f;
    f.errcode = code;
    f.remaining = 2;
    s.sb->set_fault("/cgi-bin/user/get", f);
    api::FollowerPage page;
    EXPECT_NO_THROW(page = api::get_followers(*s.api, s.mp)) << code;
    EXPECT_EQ(page.count, 30) << code;
    EXPECT_EQ(s.counter("faults /cgi-bin/user/get"), 2u) << code;
    EXPECT_EQ(s.counter("calls /cgi-bin/user/get"), 3u) << code;
  }
}

TEST(WechatApiCredentials, TransientErrorsGiveUpAfterMaxAttempts) {
  ApiSandbox s(nlohmann::json{{"http", {{"max_attempts", 3}}}});
  sandbox::Fault f;
  f.errcode = -1;
  s.sb->set_fault("/cgi-bin/user/get", f);
  auto e = platform_error_of([&] { api::get_followers(*s.api, s.mp); });
  EXPECT_EQ(e.errcode(), -1);
  EXPECT_EQ(s.counter("calls /cgi-bin/user/get"), 3u);
}

// ---- component ----

std::optional<std::string> sandbox_ticket(sandbox::Sandbox& sb) {
  std::lock_guard lk(sb.mutex());
  auto& t = sb.state<sandbox::Tickets>().component_verify_ticket;
  auto it = t.find(kComponentAppid);
  if (it == t.end()) return std::nullopt;
  return it->second;
}

void set_ticket(sandbox::Sandbox& sb, const std::string& ticket) {
  std::lock_guard lk(sb.mutex());
  sb.state<sandbox::Tickets>().component_verify_ticket[kComponentAppid] = ticket;
}

TEST(WechatApiCredentials, ComponentWithoutTicketIsACredentialErrorAndCallsNothing) {
  ApiSandbox s;
  auto key = define_component(*s.tokens, *s.api, kComponentAppid, kComponentSecret, [] { return std::nullopt; });
  auto e = platform_error_of([&] { s.tokens->get(key); });
  EXPECT_EQ(e.kind(), PlatformError::Kind::credential);
  EXPECT_NE(std::string(e.what()).find("component_verify_ticket"), std::string::npos) << e.what();
  EXPECT_EQ(s.counter("calls /cgi-bin/component/api_component_token"), 0u);
}

TEST(WechatApiCredentials, ComponentTokenUsesTheNewestTicket) {
  ApiSandbox s;
  set_ticket(*s.sb, "ticket@@@newest");
  std::string held = "ticket@@@older";
  auto key = define_component(*s.tokens, *s.api, kComponentAppid, kComponentSecret, [&] { return std::optional(held); });
  auto e = platform_error_of([&] { s.tokens->get(key); });
  EXPECT_EQ(e.errcode(), 61005);
  held = "garbage";
  EXPECT_EQ(platform_error_of([&] { s.tokens->get(key); }).errcode(), 61006);

  held = *sandbox_ticket(*s.sb);
  std::string token = s.tokens->get(key);
  EXPECT_FALSE(token.empty());
  EXPECT_EQ(s.sb->token_owner("component", token), std::optional<std::string>(kComponentAppid));
}

// Refresh tokens kept in a map, as a store table would keep them.
struct MapRefreshTokens {
  std::mutex mu;
  std::map<std::string, std::string> saved;
  std::vector<std::string> history;
  RefreshTokenStore store{
      [this](const std::string& c, const std::string& a) -> std::optional<std::string> {
        std::lock_guard lk(mu);
        auto it = saved.find(c + "/" + a);
        if (it == saved.end()) return std::nullopt;
        return it->second;
      },
      [this](const std::string& c, const std::string& a, const std::string& r) {
        std::lock_guard lk(mu);
        saved[c + "/" + a] = r;
        history.push_back(r);
      }};
};

struct Authorized {
  CredentialKey component;
  api::Authorization grant;
};

Authorized authorize(ApiSandbox& s, const std::string& authorizer) {
  set_ticket(*s.sb, "ticket@@@current");
  auto component = define_component(*s.tokens, *s.api, kComponentAppid, kComponentSecret, [] { return std::optional<std::string>("ticket@@@current"); });
  auto [status, body] = s.post("/sandbox/wechat/authorize_component", {{"component_appid", kComponentAppid}, {"authorizer_appid", authorizer}});
  EXPECT_EQ(status, 200) << body;
  return {component, api::query_auth(*s.api, kComponentAppid, body.value("authorization_code", ""))};
}

TEST(WechatApiCredentials, AuthorizerTokenRotatesAndPersistsTheRefreshTokenFirst) {
  ApiSandbox s;
  auto [component, grant] = authorize(s, kMpAppid);
  MapRefreshTokens refresh;
  refresh.store.save(kComponentAppid, kMpAppid, grant.refresh_token);
  auto key = define_authorizer(*s.tokens, *s.api, kComponentAppid, kMpAppid, refresh.store);
  EXPECT_EQ(key.id, std::string(kComponentAppid) + "/" + kMpAppid);

  // The authorizer token works on the account's own APIs.
  EXPECT_EQ(api::get_followers(*s.api, key).total, 30);
  ASSERT_EQ(refresh.history.size(), 2u);
  EXPECT_NE(refresh.history.back(), grant.refresh_token);
  // What we hold is what the platform now expects.
  auto info = api::get_authorizer_info(*s.api, kComponentAppid, kMpAppid);
  EXPECT_EQ(info.refresh_token, refresh.history.back());

  // Refused behind our back: one more refresh with the saved token, rotated again.
  s.sb->invalidate_tokens("authorizer", kMpAppid);
  EXPECT_NO_THROW(api::get_tags(*s.api, key));
  EXPECT_EQ(refresh.history.size(), 3u);
  EXPECT_EQ(s.counter("calls /cgi-bin/component/api_authorizer_token"), 2u);
}

TEST(WechatApiCredentials, StaleRefreshTokenIs61023AndNotRetried) {
  ApiSandbox s;
  auto [component, grant] = authorize(s, kMpAppid);
  MapRefreshTokens refresh;
  refresh.store.save(kComponentAppid, kMpAppid, grant.refresh_token);
  auto key = define_authorizer(*s.tokens, *s.api, kComponentAppid, kMpAppid, refresh.store);
  api::get_tags(*s.api, key);
  // A restored backup: the refresh token before the last rotation.
  refresh.store.save(kComponentAppid, kMpAppid, grant.refresh_token);
  s.sb->invalidate_tokens("authorizer", kMpAppid);

  auto e = platform_error_of([&] { api::get_tags(*s.api, key); });
  EXPECT_EQ(e.errcode(), 61023);
  EXPECT_EQ(s.counter("calls /cgi-bin/component/api_authorizer_token"), 2u);
  auto again = platform_error_of([&] { api::get_tags(*s.api, key); });
  EXPECT_EQ(again.errcode(), 61023);
  EXPECT_EQ(s.counter("calls /cgi-bin/component/api_authorizer_token"), 3u);
}

TEST(WechatApiCredentials, AuthorizerWithoutRefreshTokenNeedsReauthorization) {
  ApiSandbox s;
  MapRefreshTokens refresh;
  auto key = define_authorizer(*s.tokens, *s.api, kComponentAppid, kMpAppid, refresh.store);
  auto e = platform_error_of([&] { api::get_tags(*s.api, key); });
  EXPECT_EQ(e.kind(), PlatformError::Kind::credential);
  EXPECT_NE(std::string(e.what()).find("authorize"), std::string::npos) << e.what();
  EXPECT_EQ(s.counter("calls /cgi-bin/component/api_authorizer_token"), 0u);
}

}  // namespace
}  // namespace xiaoqu::wechat
