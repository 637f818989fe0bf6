// The gateway and the sandbox together over real sockets: the sandbox pushes tickets and
// authorizations as the platforms do, the gateway stores them, exchanges the codes on its
// workers, and its clients call the sandbox with the resulting tokens — also after a
// restart that wiped every cached access token.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "sandbox/sandbox.hpp"
#include "sandbox/tickets.hpp"
#include "tests/support/test_server.hpp"
#include "wechat/api/user.hpp"
#include "wechat/credentials.hpp"
#include "wecom/api/department.hpp"
#include "wecom/credentials.hpp"

using namespace xiaoqu;
using namespace xiaoqu::testing;

namespace {
constexpr const char* kAuthorizer = "wxa0b1c2d3e4f50617";
constexpr const char* kInstalledCorp = "wwc0ffee0123456789";

config::Environment platform_env() {
  auto env = secrets();
  env["XIAOQU_OFFICIAL_ACCOUNTS__WX5D3C9A1B7E20F468__APP_SECRET"] = "mpSecret0123456789";
  env["XIAOQU_COMPONENTS__WX7A2B4C6D8E0F1A3B__APP_SECRET"] = "componentSecret0123";
  env["XIAOQU_WECOM__SUITE__SECRET"] = "suiteSecret0123";
  env["XIAOQU_WECOM__CORP__SECRET"] = "corpSecret0123";
  return env;
}

nlohmann::json platform_patch(const std::string& sandbox_url) {
  return {{"platforms", {{"wechat_api", sandbox_url}, {"wecom_api", sandbox_url}}},
          {"http", {{"backoff_initial_ms", 10}, {"backoff_max_ms", 50}}},
          {"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0}, {"followers", 2500}}}};
}

// Waits until `count_sql` on the gateway's store returns at least 1.
bool eventually(const TestServer& gw, const std::string& count_sql) {
  for (int i = 0; i < 250; ++i) {
    if (gw.count(count_sql) > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

nlohmann::json control(const std::string& base, const std::string& path, const nlohmann::json& body) {
  httplib::Client c(base);
  auto r = c.Post(path.c_str(), body.dump(), "application/json");
  if (!r) return {{"error", "no response"}};
  return nlohmann::json::parse(r->body, nullptr, false);
}
}  // namespace

TEST(PlatformEndToEnd, TicketsAuthorizationsAndCodesDriveTheClientsAndSurviveARestart) {
  auto dir = temp_dir();
  sandbox::Sandbox sb(config::load_from_text(config_text(dir / "sandbox-unused.db", platform_patch("http://127.0.0.1:1")), platform_env()));
  sb.start();
  auto patch = platform_patch(sb.base_url());
  auto gw = std::make_unique<TestServer>(patch, dir, platform_env());
  sb.set_gateway_url(gw->url());

  // Open Platform: ticket pushed and stored, an account authorizes, the gateway exchanges the code.
  ASSERT_EQ(sandbox::push_component_verify_ticket(sb, kComponentAppid), 200);
  EXPECT_EQ(gw->count("SELECT count(*) FROM component_verify_tickets"), 1);
  auto granted = control(sb.base_url(), "/sandbox/wechat/authorize_component",
                         {{"component_appid", kComponentAppid}, {"authorizer_appid", kAuthorizer}});
  ASSERT_EQ(granted.value("gateway_status", 0), 200) << granted.dump();
  ASSERT_TRUE(eventually(*gw, std::string("SELECT count(*) FROM credentials WHERE name = 'refresh_token:") + kComponentAppid + "/" +
                                  kAuthorizer + "'"));
  EXPECT_EQ(gw->count("SELECT count(*) FROM component_authorizations WHERE authorization_code_enc IS NOT NULL"), 0);
  auto authorizer = wechat::authorizer_key(kComponentAppid, kAuthorizer);
  auto page = wechat::api::get_followers(gw->app().platform().wechat_api(), authorizer);
  EXPECT_EQ(page.total, 2500);

  // WeCom suite: ticket pushed and stored, a corp installs, the permanent code is stored.
  ASSERT_EQ(sandbox::push_suite_ticket(sb, kSuiteId), 200);
  auto installed = control(sb.base_url(), "/sandbox/wecom/install",
                           {{"suite_id", kSuiteId}, {"corp_id", kInstalledCorp}, {"state", "cmty42"}, {"push", true}});
  ASSERT_EQ(installed.value("gateway_status", 0), 200) << installed.dump();
  ASSERT_TRUE(eventually(*gw, std::string("SELECT count(*) FROM credentials WHERE name = 'permanent_code:") + kSuiteId + "/" +
                                  kInstalledCorp + "'"));
  auto corp = wecom::authorized_corp_key(kSuiteId, kInstalledCorp);
  EXPECT_FALSE(wecom::api::list_departments(gw->app().platform().wecom_api(), corp).empty());
  // Secrets at rest are sealed.
  EXPECT_EQ(gw->count("SELECT count(*) FROM credentials WHERE instr(value_enc, 'refreshtoken') > 0"), 0);

  // Restart with every cached access token gone: only the stored ticket, refresh token and
  // permanent code can bring the tokens back.
  gw->shutdown();
  {
    store::Connection c((dir / "xiaoqu.db").string());
    c.exec("DELETE FROM credentials WHERE name LIKE 'token:%'");
  }
  auto ticket_pushes = sb.counter("pushes /wechat/component/" + std::string(kComponentAppid));
  gw = std::make_unique<TestServer>(patch, dir, platform_env());
  sb.set_gateway_url(gw->url());
  EXPECT_EQ(wechat::api::get_followers(gw->app().platform().wechat_api(), authorizer).total, 2500);
  EXPECT_FALSE(wecom::api::list_departments(gw->app().platform().wecom_api(), corp).empty());
  EXPECT_EQ(sb.counter("pushes /wechat/component/" + std::string(kComponentAppid)), ticket_pushes);  // no new ticket needed
  gw.reset();
  sb.stop();
}

TEST(PlatformEndToEnd, OfficialAccountTokenSharedThroughTheStoreAcrossRestarts) {
  auto dir = temp_dir();
  sandbox::Sandbox sb(config::load_from_text(config_text(dir / "sandbox-unused.db", platform_patch("http://127.0.0.1:1")), platform_env()));
  sb.start();
  auto patch = platform_patch(sb.base_url());
  auto account = wechat::official_account_key(kMpAppid);
  {
    TestServer gw(patch, dir, platform_env());
    EXPECT_EQ(wechat::api::get_followers(gw.app().platform().wechat_api(), account).total, 2500);
  }
  TestServer gw(patch, dir, platform_env());
  EXPECT_EQ(wechat::api::get_followers(gw.app().platform().wechat_api(), account).total, 2500);
  // The restarted gateway reused the stored token instead of spending quota on a new one.
  EXPECT_EQ(sb.counter(std::string("token_issued mp ") + kMpAppid), 1u);
  sb.stop();
}
