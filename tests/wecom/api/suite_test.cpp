// The third-party suite flow end to end over real sockets: WeCom (the sandbox) pushes a
// suite_ticket to a running gateway, the suite token is fetched with the ticket the gateway
// stored, then pre_auth_code, install (create_auth pushed and recorded), permanent code,
// authorized-corp token and that corp's contacts; and cancel_auth.
#include <gtest/gtest.h>

#include "sandbox/wecom_state.hpp"
#include "store/platform_records.hpp"
#include "wecom/api/department.hpp"
#include "wecom/api/message.hpp"
#include "wecom/api/suite.hpp"
#include "wecom/api/tag.hpp"
#include "wecom/api/user.hpp"
#include "tests/wecom/api/wecom_sandbox.hpp"
#include "wecom/credentials.hpp"

using namespace xiaoqu::testing;
namespace api = xiaoqu::wecom::api;
namespace wecom = xiaoqu::wecom;
namespace store = xiaoqu::store;

namespace {
std::string gateway_url(const TestServer& gw) { return "http://127.0.0.1:" + std::to_string(gw.port()); }

// The suite's ticket as the gateway stored it from WeCom's push.
wecom::CredentialSource stored_ticket(TestServer& gw) {
  return [&gw]() -> std::optional<std::string> {
    auto t = store::suite_ticket(gw.app().database().reader(), gw.app().secret_box(), kSuiteId);
    if (!t) return std::nullopt;
    return t->value;
  };
}

// Installs the suite in `corp` (no push) and returns the permanent-code reply.
api::PermanentCode install(WecomSandbox& w, const std::string& corp, const std::string& state = "cmty7") {
  auto r = w.post("/sandbox/wecom/install", {{"suite_id", kSuiteId}, {"corp_id", corp}, {"state", state}});
  return api::get_permanent_code(w.api(), kSuiteId, r.at("auth_code").get<std::string>());
}
}  // namespace

TEST(WecomSuite, InstallFlowFromTicketPushToTheAuthorizedCorpsContacts) {
  TestServer gw;
  WecomSandbox w(gateway_url(gw));
  auto pushed = w.post("/sandbox/push/suite_ticket", {{"suite_id", kSuiteId}});
  ASSERT_EQ(pushed["gateway_status"], 200);
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, stored_ticket(gw));

  auto pre = api::get_pre_auth_code(w.api(), kSuiteId);
  EXPECT_EQ(pre.expires_in, 1200);
  api::set_session_info(w.api(), kSuiteId, pre.code, api::SessionInfo{{}, 1});
  std::string url = api::install_url(w.config().platforms.wecom_open, kSuiteId, pre.code, "https://xq.example.com/wecom/installed", "cmty42");
  EXPECT_EQ(url, "https://open.work.weixin.qq.com/3rdapp/install?suite_id=" + std::string(kSuiteId) + "&pre_auth_code=" + pre.code +
                     "&redirect_uri=https%3A%2F%2Fxq.example.com%2Fwecom%2Finstalled&state=cmty42");

  // The admin consents on the install page: WeCom pushes create_auth to the gateway.
  auto installed = w.post("/sandbox/wecom/install", {{"suite_id", kSuiteId},
                                                      {"corp_id", kInstallCorpId},
                                                      {"state", "cmty42"},
                                                      {"pre_auth_code", pre.code},
                                                      {"push", true}});
  ASSERT_EQ(installed["errcode"], 0) << installed.dump();
  EXPECT_EQ(installed["gateway_status"], 200);
  EXPECT_EQ(installed["gateway_body"], "success");
  EXPECT_EQ(gw.count("SELECT COUNT(*) FROM wecom_auth_events WHERE endpoint = 'suite' AND info_type = 'create_auth' AND suite_id = '" +
                     std::string(kSuiteId) + "' AND state = 'cmty42' AND auth_code_enc IS NOT NULL"),
            1);

  auto pc = api::get_permanent_code(w.api(), kSuiteId, installed["auth_code"].get<std::string>());
  EXPECT_FALSE(pc.permanent_code.empty());
  EXPECT_FALSE(pc.access_token.empty());
  EXPECT_EQ(pc.auth.corp.corp_id, kInstallCorpId);
  EXPECT_FALSE(pc.auth.corp.corp_name.empty());
  ASSERT_EQ(pc.auth.agents.size(), 1u);
  EXPECT_GT(pc.auth.agents[0].agent_id, 0);
  EXPECT_EQ(pc.auth.agents[0].privilege.allow_party, std::vector<std::int64_t>{1});
  EXPECT_FALSE(pc.auth_user.userid.empty());
  EXPECT_FALSE(pc.auth_user.open_userid.empty());
  EXPECT_EQ(pc.state, "cmty42");
  // The temporary code is single use.
  EXPECT_EQ(platform_error([&] { api::get_permanent_code(w.api(), kSuiteId, installed["auth_code"].get<std::string>()); }).errcode(), 40078);

  auto corp = wecom::define_authorized_corp(w.tokens(), w.api(), kSuiteId, kInstallCorpId,
                                            [code = pc.permanent_code] { return std::optional<std::string>(code); });
  auto deps = api::list_departments(w.api(), corp);
  ASSERT_EQ(deps.size(), 6u);
  for (const auto& d : deps) EXPECT_FALSE(d.name) << "third parties get no department names";
  EXPECT_EQ(w.calls("/cgi-bin/service/get_corp_token"), 1u);
  auto staff = api::list_users_brief(w.api(), corp, 1);
  ASSERT_FALSE(staff.empty());
  EXPECT_EQ(staff[0].name, staff[0].userid) << "third parties get the userid in place of the name";
  EXPECT_FALSE(staff[0].open_userid.empty());
  auto member = api::get_user(w.api(), corp, staff[0].userid);
  EXPECT_FALSE(member.mobile);
  EXPECT_FALSE(member.email);

  auto info = api::get_auth_info(w.api(), kSuiteId, kInstallCorpId, pc.permanent_code);
  EXPECT_EQ(info.corp.corp_name, pc.auth.corp.corp_name);
  ASSERT_EQ(info.agents.size(), 1u);
  EXPECT_EQ(info.agents[0].agent_id, pc.auth.agents[0].agent_id);
  EXPECT_EQ(platform_error([&] { api::get_auth_info(w.api(), kSuiteId, kInstallCorpId, "PCforged"); }).errcode(), 40084);

  std::string qr = api::get_app_qrcode(w.api(), kSuiteId, {std::nullopt, "cmty42", 2});
  EXPECT_EQ(qr.rfind(w.sb().base_url(), 0), 0u) << qr;
  EXPECT_NE(qr.find("state=cmty42"), std::string::npos);

  // The installed app writes to its members with the agent id from the permanent code.
  api::AppMessage m;
  m.to.users = {staff[0].userid};
  m.agent_id = pc.auth.agents[0].agent_id;
  m.body = api::TextMessage{"小区管家已开通"};
  EXPECT_TRUE(api::send_message(w.api(), corp, m).invalid_users.empty());
}

TEST(WecomSuite, StaleTicketFromTheGatewayFailsWith40085) {
  TestServer gw;
  WecomSandbox w(gateway_url(gw));
  ASSERT_EQ(w.post("/sandbox/push/suite_ticket", {{"suite_id", kSuiteId}})["gateway_status"], 200);
  // WeCom moves on to a newer ticket that never reached the gateway.
  w.set_latest_ticket("suite-ticket-the-gateway-missed");
  auto key = wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, stored_ticket(gw));
  auto e = platform_error([&] { w.tokens().get(key); });
  EXPECT_EQ(e.errcode(), 40085);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_suite_token"), 1u);
}

TEST(WecomSuite, InvalidInstallInputsAreRefused) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, [] { return std::optional<std::string>("suite-ticket-1"); });
  EXPECT_THROW(api::install_url(w.config().platforms.wecom_open, kSuiteId, "pre", "https://x", "not-alnum"), std::invalid_argument);
  EXPECT_THROW(api::get_app_qrcode(w.api(), kSuiteId, {std::nullopt, std::string(33, 'a'), 2}), std::invalid_argument);
  EXPECT_EQ(platform_error([&] { api::set_session_info(w.api(), kSuiteId, "PREforged", {}); }).errcode(), 40077);
  EXPECT_EQ(platform_error([&] { api::get_permanent_code(w.api(), kSuiteId, "ACforged"); }).errcode(), 40078);
}

TEST(WecomSuite, CancelAuthIsPushedAndThePermanentCodeStopsWorking) {
  TestServer gw;
  WecomSandbox w(gateway_url(gw));
  w.set_latest_ticket("suite-ticket-1");
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, [] { return std::optional<std::string>("suite-ticket-1"); });
  auto pc = install(w, kInstallCorpId);
  auto corp = wecom::define_authorized_corp(w.tokens(), w.api(), kSuiteId, kInstallCorpId,
                                            [code = pc.permanent_code] { return std::optional<std::string>(code); });
  ASSERT_FALSE(api::list_departments(w.api(), corp).empty());

  auto r = w.post("/sandbox/wecom/cancel_auth", {{"suite_id", kSuiteId}, {"corp_id", kInstallCorpId}});
  EXPECT_EQ(r["gateway_status"], 200);
  EXPECT_EQ(r["gateway_body"], "success");
  EXPECT_EQ(gw.count("SELECT COUNT(*) FROM wecom_auth_events WHERE info_type = 'cancel_auth' AND auth_corp_id = '" +
                     std::string(kInstallCorpId) + "'"),
            1);
  // The corp token is refused, and fetching a new one with the permanent code fails for good.
  EXPECT_EQ(platform_error([&] { api::list_departments(w.api(), corp); }).errcode(), 40084);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_corp_token"), 2u);
}

TEST(WecomSuite, ThirdPartyListIdsNeedsContactEditAndGivesOpenUserids) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, [] { return std::optional<std::string>("suite-ticket-1"); });
  auto read_only = install(w, kInstallCorpId);
  auto corp = wecom::define_authorized_corp(w.tokens(), w.api(), kSuiteId, kInstallCorpId,
                                            [&read_only] { return std::optional<std::string>(read_only.permanent_code); });
  EXPECT_EQ(platform_error([&] { api::list_user_ids(w.api(), corp); }).errcode(), 48002);

  // Re-installed with contact-edit authorization: rows carry open_userid, not userid.
  auto r = w.post("/sandbox/wecom/install", {{"suite_id", kSuiteId}, {"corp_id", kInstallCorpId}, {"state", "edit"}, {"contact_edit", true}});
  auto editor = api::get_permanent_code(w.api(), kSuiteId, r.at("auth_code").get<std::string>());
  EXPECT_EQ(editor.auth.agents.at(0).privilege.level, 3);
  // The stored permanent code is replaced; the old corp token is refused and refreshed once.
  read_only = editor;
  auto rows = api::list_user_ids(w.api(), corp, 10);
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    EXPECT_TRUE(row.userid.empty());
    EXPECT_EQ(row.open_userid.rfind("wo", 0), 0u);
  }
}

TEST(WecomSuite, ThirdPartySeesOnlyTheDepartmentsItWasGranted) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, [] { return std::optional<std::string>("suite-ticket-1"); });
  auto r = w.post("/sandbox/wecom/install", {{"suite_id", kSuiteId}, {"corp_id", kInstallCorpId}, {"state", "eng"}, {"allow_party", {2}}});
  auto pc = api::get_permanent_code(w.api(), kSuiteId, r.at("auth_code").get<std::string>());
  EXPECT_EQ(pc.auth.agents.at(0).privilege.allow_party, std::vector<std::int64_t>{2});
  auto corp = wecom::define_authorized_corp(w.tokens(), w.api(), kSuiteId, kInstallCorpId,
                                            [code = pc.permanent_code] { return std::optional<std::string>(code); });
  auto deps = api::list_departments(w.api(), corp);
  ASSERT_EQ(deps.size(), 2u);  // 工程部 and its 维修组
  EXPECT_EQ(deps[0].id, 2);
  EXPECT_EQ(deps[1].id, 3);
  EXPECT_EQ(platform_error([&] { api::list_users_brief(w.api(), corp, 4); }).errcode(), 60011);
  EXPECT_EQ(platform_error([&] { api::list_departments(w.api(), corp, 1); }).errcode(), 60011);
}

TEST(WecomSuite, ATagInTheRangeWidensItAndTagGetRefusesTheOthers) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, [] { return std::optional<std::string>("suite-ticket-1"); });
  // Members of 客服部 (4) only, and of 环境部 (6) only: outside 工程部 (2) either way.
  std::string tagged, outsider;
  {
    std::lock_guard lk(w.sb().mutex());
    for (const auto& [key, m] : w.sb().state<xiaoqu::sandbox::WecomState>().corp(kInstallCorpId).members) {
      if (m.departments == std::vector<std::int64_t>{6} && tagged.empty()) tagged = m.userid;
      if (m.departments == std::vector<std::int64_t>{4} && outsider.empty()) outsider = m.userid;
    }
  }
  ASSERT_FALSE(tagged.empty());
  ASSERT_FALSE(outsider.empty());
  EXPECT_EQ(w.post("/sandbox/wecom/tag", {{"corp_id", kInstallCorpId}, {"tag_id", 7}, {"name", "值班"}, {"users", {tagged}}, {"parties", {5}}})
                .value("errcode", -1),
            0);
  EXPECT_EQ(w.post("/sandbox/wecom/tag", {{"corp_id", kInstallCorpId}, {"tag_id", 8}, {"users", {outsider}}}).value("errcode", -1), 0);
  EXPECT_EQ(w.post("/sandbox/wecom/tag", {{"corp_id", kInstallCorpId}, {"tag_id", 9}, {"users", {"NoSuchUser"}}}).value("errcode", -1),
            60111);

  auto r = w.post("/sandbox/wecom/install",
                  {{"suite_id", kSuiteId}, {"corp_id", kInstallCorpId}, {"state", "tag"}, {"allow_party", {2}}, {"allow_tag", {7}}});
  auto pc = api::get_permanent_code(w.api(), kSuiteId, r.at("auth_code").get<std::string>());
  EXPECT_EQ(pc.auth.agents.at(0).privilege.allow_tag, std::vector<std::int64_t>{7});
  EXPECT_EQ(pc.auth.agents.at(0).privilege.allow_party, std::vector<std::int64_t>{2});
  auto corp = wecom::define_authorized_corp(w.tokens(), w.api(), kSuiteId, kInstallCorpId,
                                            [code = pc.permanent_code] { return std::optional<std::string>(code); });

  auto tag = api::get_tag(w.api(), corp, 7);
  EXPECT_EQ(tag.name, "值班");
  ASSERT_EQ(tag.users.size(), 1u);
  EXPECT_EQ(tag.users[0].userid, tagged);
  EXPECT_EQ(tag.users[0].name, "");  // third parties get no names
  EXPECT_EQ(tag.parties, std::vector<std::int64_t>{5});
  // The tag's department and member are in range now; other members still are not.
  std::vector<std::int64_t> ids;
  for (const auto& d : api::list_departments(w.api(), corp)) ids.push_back(d.id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3, 5}));
  EXPECT_EQ(api::get_user(w.api(), corp, tagged).userid, tagged);
  EXPECT_EQ(platform_error([&] { api::get_user(w.api(), corp, outsider); }).errcode(), 60011);
  EXPECT_EQ(platform_error([&] { api::get_tag(w.api(), corp, 8); }).errcode(), 60011);  // not in the range
  EXPECT_EQ(platform_error([&] { api::get_tag(w.api(), corp, 99); }).errcode(), 40068);  // no such tag

  // A refused tag/get, as the sandbox injects it for a sync failing halfway.
  EXPECT_EQ(w.post("/sandbox/wecom/tag_fault", {{"corp_id", kInstallCorpId}, {"tag_id", 7}, {"errcode", 60011}}).value("errcode", -1), 0);
  EXPECT_EQ(platform_error([&] { api::get_tag(w.api(), corp, 7); }).errcode(), 60011);
}
