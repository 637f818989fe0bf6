// 员工信息 ↔ 企业微信 end to end against the sandbox over real sockets: admins sign in to the
// admin API, get the suite install link, the sandbox corp installs (browser redirect or
// create_auth push), the gateway exchanges the code, links the corp and syncs it;
// change_contact pushes apply live; a second account is refused; cancel_auth keeps the staff
// as unsynced; a sync failing halfway changes nothing; self-built mode merges by phone; a
// visible range given by a tag (its members and departments), update_tag applied live, and a
// refused tag/get that leaves everything as it was.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "community/accounts/password.hpp"
#include "community/staff/wecom_link.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/tickets.hpp"
#include "sandbox/wecom_state.hpp"
#include "tests/support/test_server.hpp"

using namespace xiaoqu;
using namespace xiaoqu::testing;
using nlohmann::json;

namespace {
constexpr const char* kInstalledCorp = "wwc0ffee0123456789";

config::Environment link_env() {
  auto env = secrets();
  env["XIAOQU_WECOM__SUITE__SECRET"] = "suiteSecret0123";
  env["XIAOQU_WECOM__CORP__SECRET"] = "corpSecret0123";
  return env;
}

json link_patch(const std::string& sandbox_url) {
  return {{"platforms", {{"wecom_api", sandbox_url}, {"wecom_open", sandbox_url}}},
          {"http", {{"backoff_initial_ms", 10}, {"backoff_max_ms", 50}, {"max_attempts", 2}}},
          {"wecom_link", {{"test_install", true}}},
          {"sandbox", {{"port", 0}, {"ticket_interval_seconds", 0}}}};
}

bool eventually(const TestServer& gw, const std::string& count_sql, long long at_least = 1) {
  for (int i = 0; i < 400; ++i) {
    if (gw.count(count_sql) >= at_least) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

std::string text_of(const TestServer& gw, const std::string& sql) {
  store::Connection c(gw.db_path().string(), true);
  store::Statement s(c, sql);
  return s.step() ? s.text(0) : std::string("<none>");
}

json control(const std::string& base, const std::string& path, const json& body) {
  httplib::Client c(base);
  c.set_read_timeout(10, 0);
  auto r = c.Post(path.c_str(), body.dump(), "application/json");
  if (!r) return {{"error", "no response"}};
  return json::parse(r->body, nullptr, false);
}

std::string query_param(const std::string& url, const std::string& name) {
  auto at = url.find("&" + name + "=");
  if (at == std::string::npos) at = url.find("?" + name + "=");
  if (at == std::string::npos) return {};
  auto begin = at + name.size() + 2;
  return url.substr(begin, url.find('&', begin) - begin);
}

/// A property admin signed in to the admin API (session cookie + CSRF token).
struct Admin {
  std::int64_t id = 0;
  std::string cookie, csrf;
};

Admin sign_in(TestServer& gw, const std::string& username) {
  Admin a;
  std::string hash = community::hash_password("Wuye#2024pass");
  gw.app().database().write([&](store::Connection& c) {
    store::Statement s(c,
                       "INSERT INTO admin_accounts (username, display_name, role, password_hash, created_at, updated_at) "
                       "VALUES (?1, ?1, 'property_admin', ?2, 0, 0)");
    s.bind(1, username).bind(2, hash).run();
    a.id = c.last_insert_id();
  });
  auto client = gw.client();
  auto r = client.Post("/api/v1/auth/login", json{{"username", username}, {"password", "Wuye#2024pass"}}.dump(), "application/json");
  if (!r || r->status != 200) throw std::runtime_error("login failed: " + (r ? r->body : std::string("no response")));
  std::string set_cookie = r->get_header_value("Set-Cookie");
  a.cookie = set_cookie.substr(0, set_cookie.find(';'));
  a.csrf = json::parse(r->body).at("csrf_token").get<std::string>();
  return a;
}

struct Reply {
  int status = 0;
  json body;
};

Reply api(TestServer& gw, const Admin& a, const std::string& method, const std::string& path) {
  auto client = gw.client();
  client.set_read_timeout(15, 0);
  httplib::Headers h = {{"Cookie", a.cookie}, {"X-CSRF-Token", a.csrf}};
  auto r = method == "GET" ? client.Get(path.c_str(), h) : client.Post(path.c_str(), h, "{}", "application/json");
  if (!r) return {0, {}};
  return {r->status, json::parse(r->body, nullptr, false)};
}

// The sandbox corp's contacts as the gateway should mirror them.
std::size_t sandbox_members(sandbox::Sandbox& sb, const std::string& corp) {
  std::lock_guard lk(sb.mutex());
  return sb.state<sandbox::WecomState>().corp(corp).members.size();
}
std::size_t sandbox_departments(sandbox::Sandbox& sb, const std::string& corp) {
  std::lock_guard lk(sb.mutex());
  return sb.state<sandbox::WecomState>().corp(corp).departments.size();
}

class WecomLinkEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir();
    sb_ = std::make_unique<sandbox::Sandbox>(
        config::load_from_text(config_text(dir_ / "sandbox-unused.db", link_patch("http://127.0.0.1:1")), link_env()));
    sb_->start();
    gw_ = std::make_unique<TestServer>(link_patch(sb_->base_url()), dir_, link_env());
    sb_->set_gateway_url(gw_->url());
  }
  void TearDown() override {
    gw_.reset();
    sb_->stop();
  }

  std::filesystem::path dir_;
  std::unique_ptr<sandbox::Sandbox> sb_;
  std::unique_ptr<TestServer> gw_;
};
}  // namespace

TEST_F(WecomLinkEndToEnd, SuiteInstallSyncLiveChangesSecondAccountRefusedAndCancelAuth) {
  ASSERT_EQ(sandbox::push_suite_ticket(*sb_, kSuiteId), 200);
  Admin a = sign_in(*gw_, "wuye_a"), b = sign_in(*gw_, "wuye_b");
  EXPECT_EQ(api(*gw_, a, "GET", "/api/v1/wecom/status").body.value("state", ""), "none");

  // The install link carries a pre_auth_code (marked a test install) and a's state.
  auto link = api(*gw_, a, "GET", "/api/v1/wecom/install-link");
  ASSERT_EQ(link.status, 200) << link.body.dump();
  std::string url = link.body.at("install_url");
  EXPECT_EQ(link.body.at("qr_text"), url);
  std::string pre = query_param(url, "pre_auth_code"), state = query_param(url, "state");
  ASSERT_FALSE(pre.empty());
  ASSERT_EQ(state.size(), 32u);
  EXPECT_NE(url.find("redirect_uri="), std::string::npos);

  // The corp's admin consents; the install page sends the browser back with the code.
  auto installed = control(sb_->base_url(), "/sandbox/wecom/install",
                           {{"suite_id", kSuiteId}, {"corp_id", kInstalledCorp}, {"state", state}, {"pre_auth_code", pre}});
  ASSERT_TRUE(installed.contains("auth_code")) << installed.dump();
  {
    auto browser = gw_->client();
    browser.set_read_timeout(15, 0);
    auto r = browser.Get(("/wecom/install/callback?auth_code=" + installed.at("auth_code").get<std::string>() + "&state=" + state).c_str());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_NE(r->body.find("关联成功"), std::string::npos);
  }
  EXPECT_EQ(gw_->count(std::string("SELECT count(*) FROM credentials WHERE name = 'permanent_code:") + kSuiteId + "/" + kInstalledCorp + "'"), 1);

  // Linking starts the first sync: every visible department and member, no names or phones.
  const auto members = static_cast<long long>(sandbox_members(*sb_, kInstalledCorp));
  const auto departments = static_cast<long long>(sandbox_departments(*sb_, kInstalledCorp));
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM staff WHERE wecom_state = 'synced'", members));
  EXPECT_EQ(gw_->count(std::string("SELECT count(*) FROM departments WHERE wecom_corp_id = '") + kInstalledCorp + "'"), departments);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE phone <> ''"), 0);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE name <> wecom_userid"), 0);  // suites see userids, not names
  auto status = api(*gw_, a, "GET", "/api/v1/wecom/status").body;
  EXPECT_EQ(status.value("state", ""), "linked");
  EXPECT_EQ(status.value("mode", ""), "suite");
  EXPECT_FALSE(status.value("corp_name", "").empty());
  EXPECT_EQ(status["counts"].value("staff_synced", 0), members);
  EXPECT_EQ(status["counts"].value("departments", 0), departments);
  EXPECT_TRUE(status["last_sync_at"].is_number());
  EXPECT_EQ(status["visible_range"]["party"], json::array({1}));
  // The root department carries the corp's name, the others a placeholder (suites get no names).
  EXPECT_EQ(text_of(*gw_, "SELECT name FROM departments WHERE wecom_department_id = 1"), status.value("corp_name", ""));

  // The 同步 button: nothing new, nothing lost.
  auto synced = api(*gw_, a, "POST", "/api/v1/wecom/sync");
  ASSERT_EQ(synced.status, 200) << synced.body.dump();
  EXPECT_EQ(synced.body.value("members", 0), members);
  EXPECT_EQ(synced.body.value("staff_added", -1), 0);
  EXPECT_EQ(synced.body.value("staff_unsynced", -1), 0);

  // change_contact, pushed encrypted to the suite's instruction URL, applied live.
  auto change = [&](json body) {
    body["corp_id"] = kInstalledCorp;
    auto r = control(sb_->base_url(), "/sandbox/wecom/contact_change", body);
    ASSERT_EQ(r.value("errcode", -1), 0) << r.dump();
    ASSERT_EQ(r["pushes"][0].value("gateway_status", 0), 200) << r.dump();
    ASSERT_EQ(r["pushes"][0].value("gateway_body", ""), "success");
  };
  change({{"change_type", "create_user"}, {"user_id", "XiaoQu01"}, {"name", "肖渠"}, {"department", {4}}});
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM staff WHERE wecom_userid = 'XiaoQu01' AND wecom_state = 'synced'"));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff_departments sd JOIN departments d ON d.id = sd.department_id "
                       "JOIN staff s ON s.id = sd.staff_id WHERE s.wecom_userid = 'XiaoQu01' AND d.wecom_department_id = 4"),
            1);
  change({{"change_type", "update_user"}, {"user_id", "XiaoQu01"}, {"new_user_id", "XiaoQu02"}, {"department", {2}}});
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM staff s JOIN staff_departments sd ON sd.staff_id = s.id JOIN departments d "
                               "ON d.id = sd.department_id WHERE s.wecom_userid = 'XiaoQu02' AND d.wecom_department_id = 2"));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE wecom_userid IN ('XiaoQu01', 'XiaoQu02')"), 1);
  change({{"change_type", "delete_user"}, {"user_id", "XiaoQu02"}});
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM staff WHERE wecom_userid = 'XiaoQu02' AND wecom_state = 'unsynced'"));
  change({{"change_type", "create_party"}, {"id", 60}, {"name", "绿化组"}, {"parent_id", 6}});
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM departments d JOIN departments p ON p.id = d.parent_id "
                               "WHERE d.wecom_department_id = 60 AND p.wecom_department_id = 6"));
  change({{"change_type", "update_party"}, {"id", 60}, {"parent_id", 2}});
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM departments d JOIN departments p ON p.id = d.parent_id "
                               "WHERE d.wecom_department_id = 60 AND p.wecom_department_id = 2"));
  change({{"change_type", "delete_party"}, {"id", 60}});
  ASSERT_TRUE(eventually(*gw_, std::string("SELECT count(*) = 0 FROM departments WHERE wecom_department_id = 60")));
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) = 0 FROM wecom_contact_changes WHERE processed_at IS NULL"));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM wecom_contact_changes"), 6);

  // A second account installs the same corp (an app-market style create_auth push): refused.
  auto link_b = api(*gw_, b, "GET", "/api/v1/wecom/install-link");
  ASSERT_EQ(link_b.status, 200) << link_b.body.dump();
  std::string state_b = query_param(link_b.body.at("install_url"), "state");
  auto pushed = control(sb_->base_url(), "/sandbox/wecom/install",
                        {{"suite_id", kSuiteId}, {"corp_id", kInstalledCorp}, {"state", state_b}, {"push", true}});
  ASSERT_EQ(pushed.value("gateway_status", 0), 200) << pushed.dump();
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM wecom_install_states WHERE state = '" + state_b + "' AND used_at IS NOT NULL"));
  auto status_b = api(*gw_, b, "GET", "/api/v1/wecom/status").body;
  EXPECT_EQ(status_b.value("state", ""), "none");
  EXPECT_EQ(status_b["last_install"].value("outcome", ""), community::kCorpLinkedElsewhere);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM wecom_corp_links"), 1);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM wecom_corp_links WHERE admin_id = " + std::to_string(a.id) + " AND state = 'linked'"), 1);
  // a keeps working with the code the platform issued last (it replaced the earlier one).
  ASSERT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/sync").status, 200);

  // The corp uninstalls: the link is cancelled, staff stay unsynced, the permanent code goes.
  auto cancelled = control(sb_->base_url(), "/sandbox/wecom/cancel_auth", {{"suite_id", kSuiteId}, {"corp_id", kInstalledCorp}});
  ASSERT_EQ(cancelled.value("gateway_status", 0), 200) << cancelled.dump();
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM wecom_corp_links WHERE state = 'cancelled'"));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE wecom_state = 'synced'"), 0);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE wecom_state = 'unsynced'"), members + 1);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM credentials WHERE name LIKE 'permanent_code:%'"), 0);
  EXPECT_EQ(api(*gw_, a, "GET", "/api/v1/wecom/status").body.value("state", ""), "cancelled");
  EXPECT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/sync").status, 404);
  EXPECT_GE(gw_->count("SELECT count(*) FROM audit_log WHERE action IN ('wecom.link', 'wecom.cancel_auth')"), 2);
}

TEST_F(WecomLinkEndToEnd, SelfBuiltSyncMergesByPhoneAndASecondAccountIsRefused) {
  Admin a = sign_in(*gw_, "wuye_a"), b = sign_in(*gw_, "wuye_b");
  // Entered by hand before the link: one with a WeCom member's phone, one with its userid.
  std::string phone_of_member, userid_of_member, other_userid;
  {
    std::lock_guard lk(sb_->mutex());
    auto& corp = sb_->state<sandbox::WecomState>().corp(kCorpId);
    auto it = corp.members.begin();
    phone_of_member = it->second.mobile;
    ++it;
    userid_of_member = it->second.userid;
  }
  gw_->app().database().write([&](store::Connection& c) {
    c.exec("INSERT INTO staff (name, phone, phone_last4, created_at, updated_at) VALUES ('手工甲', '" + phone_of_member + "', '" +
           phone_of_member.substr(7) + "', 0, 0)");
    c.exec("INSERT INTO staff (name, wecom_userid, created_at, updated_at) VALUES ('手工乙', '" + userid_of_member + "', 0, 0)");
  });

  auto linked = api(*gw_, a, "POST", "/api/v1/wecom/link-self-built");
  ASSERT_EQ(linked.status, 200) << linked.body.dump();
  EXPECT_EQ(linked.body["link"].value("mode", ""), "self_built");
  const auto members = static_cast<long long>(sandbox_members(*sb_, kCorpId));
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM staff WHERE wecom_state = 'synced'", members));
  // One record per person: the two manual records became the members'.
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff"), members);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE phone = '" + phone_of_member + "'"), 1);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE name IN ('手工甲', '手工乙')"), 0);  // self-built apps see real names
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE phone <> '' AND wecom_state = 'synced'"), members);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM departments WHERE name = '工程部'"), 1);

  // Live, in the self-built form: a member created in WeCom with the phone of a record
  // entered by hand becomes that record.
  gw_->app().database().write([](store::Connection& c) {
    c.exec("INSERT INTO staff (name, phone, phone_last4, created_at, updated_at) VALUES ('手工丙', '13900001111', '1111', 0, 0)");
  });
  auto pushed = control(sb_->base_url(), "/sandbox/wecom/contact_change",
                        {{"corp_id", kCorpId}, {"change_type", "create_user"}, {"user_id", "BingGe"}, {"name", "丙哥"},
                         {"mobile", "13900001111"}, {"department", {5}}});
  ASSERT_EQ(pushed.value("errcode", -1), 0) << pushed.dump();
  ASSERT_EQ(pushed["pushes"][0].value("form", ""), "self_built");
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM staff WHERE phone = '13900001111' AND wecom_userid = 'BingGe' AND name = '丙哥'"));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE phone = '13900001111'"), 1);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff"), members + 1);
  gw_->app().database().write([](store::Connection& c) { c.exec("DELETE FROM staff WHERE wecom_userid = 'BingGe'"); });
  control(sb_->base_url(), "/sandbox/wecom/contact_change", {{"corp_id", kCorpId}, {"change_type", "delete_user"}, {"user_id", "BingGe"}});

  // The same corp for another account: refused, nothing stored.
  auto refused = api(*gw_, b, "POST", "/api/v1/wecom/link-self-built");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["error"].value("message", ""), community::kCorpLinkedElsewhere);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM wecom_corp_links"), 1);

  // 我要更换关联企业: unlinked, staff kept as unsynced; then b may link it.
  ASSERT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/unlink").status, 200);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE wecom_state = 'unsynced'"), members);
  EXPECT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/unlink").status, 404);
  ASSERT_EQ(api(*gw_, b, "POST", "/api/v1/wecom/link-self-built").status, 200);
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM staff WHERE wecom_state = 'synced'", members));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff"), members);
}

TEST_F(WecomLinkEndToEnd, ASyncFailingHalfwayChangesNothing) {
  Admin a = sign_in(*gw_, "wuye_a");
  // user/list fails for the second department the sync reads (工程部, id 2).
  auto fault = control(sb_->base_url(), "/sandbox/wecom/department_fault", {{"corp_id", kCorpId}, {"department_id", 2}, {"errcode", 60011}});
  ASSERT_EQ(fault.value("errcode", -1), 0) << fault.dump();

  ASSERT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/link-self-built").status, 200);
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) FROM wecom_corp_links WHERE last_sync_error <> ''"));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff"), 0);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM departments"), 0);
  auto status = api(*gw_, a, "GET", "/api/v1/wecom/status").body;
  EXPECT_NE(status.value("last_sync_error", "").find("60011"), std::string::npos) << status.dump();
  EXPECT_TRUE(status["last_sync_at"].is_null());

  // Fixed, synced; then a record changes locally and the next sync fails again halfway.
  control(sb_->base_url(), "/sandbox/wecom/department_fault", {{"corp_id", kCorpId}, {"department_id", 2}, {"errcode", 0}});
  auto ok = api(*gw_, a, "POST", "/api/v1/wecom/sync");
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  const auto members = static_cast<long long>(sandbox_members(*sb_, kCorpId));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE wecom_state = 'synced'"), members);
  std::string synced_at = text_of(*gw_, "SELECT last_sync_at FROM wecom_corp_links");
  gw_->app().database().write([](store::Connection& c) {
    c.exec("UPDATE staff SET name = '本地改名' WHERE id = (SELECT min(id) FROM staff)");
    c.exec("UPDATE departments SET name = '本地部门' WHERE wecom_department_id = 6");
  });
  control(sb_->base_url(), "/sandbox/wecom/department_fault", {{"corp_id", kCorpId}, {"department_id", 2}, {"errcode", 60011}});
  auto failed = api(*gw_, a, "POST", "/api/v1/wecom/sync");
  EXPECT_EQ(failed.status, 502);
  EXPECT_NE(failed.body["error"].value("message", "").find("60011"), std::string::npos) << failed.body.dump();
  // Department 1 was read fine before the failure, yet nothing of it was applied.
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE name = '本地改名'"), 1);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM departments WHERE name = '本地部门'"), 1);
  EXPECT_EQ(text_of(*gw_, "SELECT last_sync_at FROM wecom_corp_links"), synced_at);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE wecom_state = 'synced'"), members);
}

TEST_F(WecomLinkEndToEnd, InstallLinkRefusalsAndRedirectsThatLinkNobody) {
  Admin a = sign_in(*gw_, "wuye_a");
  {
    auto anonymous = gw_->client();
    auto r = anonymous.Get("/api/v1/wecom/status");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  // No suite_ticket pushed yet: WeCom cannot be asked for a pre_auth_code.
  auto early = api(*gw_, a, "GET", "/api/v1/wecom/install-link");
  EXPECT_EQ(early.status, 502);
  EXPECT_NE(early.body["error"].value("message", "").find("suite_ticket"), std::string::npos) << early.body.dump();
  EXPECT_EQ(gw_->count("SELECT count(*) FROM wecom_install_states"), 0);

  ASSERT_EQ(sandbox::push_suite_ticket(*sb_, kSuiteId), 200);
  auto browser = gw_->client();
  browser.set_read_timeout(15, 0);
  // A forged code: WeCom refuses it, nothing is stored.
  auto forged = browser.Get("/wecom/install/callback?auth_code=AC-forged&state=0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 409);
  EXPECT_NE(forged->body.find("未能关联"), std::string::npos);
  EXPECT_NE(forged->body.find("40078"), std::string::npos);
  // A real install whose state no account issued: the code is kept (the corp did install), nobody is linked.
  auto installed = control(sb_->base_url(), "/sandbox/wecom/install",
                           {{"suite_id", kSuiteId}, {"corp_id", kInstalledCorp}, {"state", "notours"}});
  auto stale = browser.Get(("/wecom/install/callback?auth_code=" + installed.value("auth_code", "") + "&state=notours").c_str());
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  EXPECT_NE(stale->body.find("安装链接已失效"), std::string::npos) << stale->body;
  EXPECT_EQ(gw_->count("SELECT count(*) FROM wecom_corp_links"), 0);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM credentials WHERE name LIKE 'permanent_code:%'"), 1);

  // An account holding a corp gets no install link until it unlinks.
  ASSERT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/link-self-built").status, 200);
  auto again = api(*gw_, a, "GET", "/api/v1/wecom/install-link");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body["error"].value("code", ""), "account_already_linked");
  ASSERT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/unlink").status, 200);
  EXPECT_EQ(api(*gw_, a, "GET", "/api/v1/wecom/install-link").status, 200);
}

// ---- A visible range given by tags (标签), and update_tag applied live ----
namespace {
constexpr std::int64_t kDutyTag = 7;

using Userids = std::set<std::string>;

Userids staff_userids(const TestServer& gw, const std::string& state) {
  store::Connection c(gw.db_path().string(), true);
  store::Statement s(c, "SELECT wecom_userid FROM staff WHERE wecom_state = ?1 ORDER BY wecom_userid");
  s.bind(1, state);
  Userids out;
  while (s.step()) out.insert(s.text(0));
  return out;
}

std::set<std::int64_t> stored_departments(const TestServer& gw, const std::string& corp) {
  store::Connection c(gw.db_path().string(), true);
  store::Statement s(c, "SELECT wecom_department_id FROM departments WHERE wecom_corp_id = ?1");
  s.bind(1, corp);
  std::set<std::int64_t> out;
  while (s.step()) out.insert(s.integer(0));
  return out;
}

// The sandbox corp's members in any of `departments`, plus `also`.
Userids members_of(sandbox::Sandbox& sb, const std::string& corp, const std::set<std::int64_t>& departments, const Userids& also = {}) {
  std::lock_guard lk(sb.mutex());
  Userids out = also;
  for (const auto& [key, m] : sb.state<sandbox::WecomState>().corp(corp).members)
    for (auto d : m.departments)
      if (departments.count(d)) out.insert(m.userid);
  return out;
}

// The first member whose departments are exactly `departments`.
std::string member_only_in(sandbox::Sandbox& sb, const std::string& corp, std::vector<std::int64_t> departments) {
  std::lock_guard lk(sb.mutex());
  for (const auto& [key, m] : sb.state<sandbox::WecomState>().corp(corp).members)
    if (m.departments == departments) return m.userid;
  return {};
}

bool eventually_equal(const std::function<Userids()>& now, const Userids& wanted) {
  for (int i = 0; i < 400; ++i) {
    if (now() == wanted) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

// The range: 工程部 (2, with 维修组 3) and the duty tag, which holds one member of 环境部 (6)
// and the whole 秩序维护部 (5). 客服部 (4) is outside.
class WecomTagRange : public WecomLinkEndToEnd {
 protected:
  void SetUp() override {
    WecomLinkEndToEnd::SetUp();
    tagged_ = member_only_in(*sb_, kInstalledCorp, {6});
    outsider_ = member_only_in(*sb_, kInstalledCorp, {4});
    engineer_ = member_only_in(*sb_, kInstalledCorp, {2});
    ASSERT_FALSE(tagged_.empty() || outsider_.empty() || engineer_.empty());
    auto tag = control(sb_->base_url(), "/sandbox/wecom/tag",
                       {{"corp_id", kInstalledCorp}, {"tag_id", kDutyTag}, {"name", "值班"}, {"users", {tagged_}}, {"parties", {5}}});
    ASSERT_EQ(tag.value("errcode", -1), 0) << tag.dump();
    in_range_ = members_of(*sb_, kInstalledCorp, {2, 3, 5}, {tagged_});
  }

  // a's install link, consented by the corp with the range above, the browser sent back.
  void install(const Admin& a) {
    ASSERT_EQ(sandbox::push_suite_ticket(*sb_, kSuiteId), 200);
    auto link = api(*gw_, a, "GET", "/api/v1/wecom/install-link");
    ASSERT_EQ(link.status, 200) << link.body.dump();
    std::string url = link.body.at("install_url"), state = query_param(url, "state");
    auto installed = control(sb_->base_url(), "/sandbox/wecom/install",
                             {{"suite_id", kSuiteId}, {"corp_id", kInstalledCorp}, {"state", state},
                              {"pre_auth_code", query_param(url, "pre_auth_code")}, {"allow_party", {2}}, {"allow_tag", {kDutyTag}}});
    ASSERT_TRUE(installed.contains("auth_code")) << installed.dump();
    auto browser = gw_->client();
    browser.set_read_timeout(15, 0);
    auto r = browser.Get(("/wecom/install/callback?auth_code=" + installed.at("auth_code").get<std::string>() + "&state=" + state).c_str());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  Userids synced() const { return staff_userids(*gw_, "synced"); }

  std::string tagged_, outsider_, engineer_;
  Userids in_range_;
};

void change_tag(const std::string& base, const json& items) {
  json body = items;
  body["corp_id"] = kInstalledCorp;
  body["change_type"] = "update_tag";
  body["tag_id"] = kDutyTag;
  auto r = control(base, "/sandbox/wecom/contact_change", body);
  ASSERT_EQ(r.value("errcode", -1), 0) << r.dump();
  ASSERT_EQ(r["pushes"].size(), 1u) << r.dump();  // the suite: the tag is in its range
  ASSERT_EQ(r["pushes"][0].value("gateway_status", 0), 200) << r.dump();
}
}  // namespace

TEST_F(WecomTagRange, TheSyncTakesTheDepartmentsAndTheTagsMembersAndDepartments) {
  Admin a = sign_in(*gw_, "wuye_a");
  install(a);
  ASSERT_TRUE(eventually_equal([&] { return synced(); }, in_range_)) << "synced " << synced().size() << " of " << in_range_.size();
  EXPECT_TRUE(synced().count(tagged_));
  EXPECT_FALSE(synced().count(outsider_));
  EXPECT_EQ(stored_departments(*gw_, kInstalledCorp), (std::set<std::int64_t>{2, 3, 5}));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff"), static_cast<long long>(in_range_.size()));
  auto status = api(*gw_, a, "GET", "/api/v1/wecom/status").body;
  EXPECT_EQ(status["visible_range"]["tag"], json::array({kDutyTag}));
  EXPECT_EQ(status["visible_range"]["party"], json::array({2}));

  // The 同步 button agrees: nothing new, nothing lost.
  auto again = api(*gw_, a, "POST", "/api/v1/wecom/sync");
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(again.body.value("members", 0), static_cast<long long>(in_range_.size()));
  EXPECT_EQ(again.body.value("staff_added", -1), 0);
  EXPECT_EQ(again.body.value("staff_unsynced", -1), 0);
}

TEST_F(WecomTagRange, UpdateTagAddsAndRemovesStaffButKeepsThoseStillInRange) {
  Admin a = sign_in(*gw_, "wuye_a");
  install(a);
  ASSERT_TRUE(eventually_equal([&] { return synced(); }, in_range_));

  // Tagged in WeCom: the member of 客服部 becomes staff.
  change_tag(sb_->base_url(), {{"add_users", {outsider_}}});
  Userids with_outsider = in_range_;
  with_outsider.insert(outsider_);
  ASSERT_TRUE(eventually_equal([&] { return synced(); }, with_outsider));

  // Untagged: marked no longer synced, the record kept.
  change_tag(sb_->base_url(), {{"del_users", {outsider_}}});
  ASSERT_TRUE(eventually_equal([&] { return staff_userids(*gw_, "unsynced"); }, Userids{outsider_}));
  EXPECT_EQ(synced(), in_range_);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE wecom_userid = '" + outsider_ + "'"), 1);

  // An engineer tagged and untagged stays: 工程部 keeps them in range.
  change_tag(sb_->base_url(), {{"add_users", {engineer_}}});
  change_tag(sb_->base_url(), {{"del_users", {engineer_}}});
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) = 0 FROM wecom_contact_changes WHERE processed_at IS NULL"));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM wecom_contact_changes WHERE change_type = 'update_tag' AND tag_id = 7 AND party_id = 0"), 4);
  EXPECT_EQ(synced(), in_range_);
  EXPECT_TRUE(synced().count(engineer_));
  EXPECT_EQ(staff_userids(*gw_, "unsynced"), Userids{outsider_});

  // 秩序维护部 leaves the tag: its members go, unless 工程部 or the tag's own list keeps them.
  change_tag(sb_->base_url(), {{"del_parties", {5}}});
  Userids without_security = members_of(*sb_, kInstalledCorp, {2, 3}, {tagged_});
  ASSERT_TRUE(eventually_equal([&] { return synced(); }, without_security));
  EXPECT_EQ(stored_departments(*gw_, kInstalledCorp), (std::set<std::int64_t>{2, 3}));
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff"), static_cast<long long>(in_range_.size() + 1));
}

TEST_F(WecomTagRange, ARefusedTagGetMidSyncChangesNothing) {
  Admin a = sign_in(*gw_, "wuye_a");
  install(a);
  ASSERT_TRUE(eventually_equal([&] { return synced(); }, in_range_));
  std::string synced_at = text_of(*gw_, "SELECT last_sync_at FROM wecom_corp_links");
  // WeCom changed meanwhile (a new engineer, nobody told), and a record changed locally.
  {
    std::lock_guard lk(sb_->mutex());
    sandbox::WecomMember m;
    m.userid = "XinGong01";
    m.name = "新工";
    m.departments = {2};
    m.main_department = 2;
    sb_->state<sandbox::WecomState>().corp(kInstalledCorp).members.emplace("xingong01", m);
  }
  gw_->app().database().write([&](store::Connection& c) {
    c.exec("UPDATE staff SET name = '本地改名' WHERE wecom_userid = '" + tagged_ + "'");
  });

  // tag/get refused after department/list and get_auth_info answered: nothing is applied.
  auto fault = control(sb_->base_url(), "/sandbox/wecom/tag_fault", {{"corp_id", kInstalledCorp}, {"tag_id", kDutyTag}, {"errcode", 60011}});
  ASSERT_EQ(fault.value("errcode", -1), 0) << fault.dump();
  auto failed = api(*gw_, a, "POST", "/api/v1/wecom/sync");
  EXPECT_EQ(failed.status, 502);
  EXPECT_NE(failed.body["error"].value("message", "").find("tag/get"), std::string::npos) << failed.body.dump();
  EXPECT_EQ(synced(), in_range_);
  EXPECT_EQ(gw_->count("SELECT count(*) FROM staff WHERE name = '本地改名'"), 1);
  EXPECT_EQ(stored_departments(*gw_, kInstalledCorp), (std::set<std::int64_t>{2, 3, 5}));
  EXPECT_EQ(text_of(*gw_, "SELECT last_sync_at FROM wecom_corp_links"), synced_at);

  // An update_tag meanwhile: its sync fails the same way, is recorded, and changes nobody.
  change_tag(sb_->base_url(), {{"add_users", {outsider_}}});
  ASSERT_TRUE(eventually(*gw_, "SELECT count(*) = 0 FROM wecom_contact_changes WHERE processed_at IS NULL"));
  EXPECT_EQ(synced(), in_range_);
  EXPECT_NE(api(*gw_, a, "GET", "/api/v1/wecom/status").body.value("last_sync_error", "").find("60011"), std::string::npos);

  // WeCom answers again: the next sync takes everything.
  control(sb_->base_url(), "/sandbox/wecom/tag_fault", {{"corp_id", kInstalledCorp}, {"tag_id", kDutyTag}, {"errcode", 0}});
  ASSERT_EQ(api(*gw_, a, "POST", "/api/v1/wecom/sync").status, 200);
  Userids now = in_range_;
  now.insert("XinGong01");
  now.insert(outsider_);
  EXPECT_EQ(synced(), now);
}
