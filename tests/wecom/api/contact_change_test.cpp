// Contact changes made in WeCom (the sandbox's control endpoint) reach a running gateway as
// change_contact pushes — the self-built form on the corp endpoint, the third-party form on
// the suite endpoint — and are recorded in wecom_contact_changes.
#include <gtest/gtest.h>

#include "wecom/api/suite.hpp"
#include "wecom/api/user.hpp"
#include "tests/wecom/api/wecom_sandbox.hpp"
#include "wecom/credentials.hpp"

using namespace xiaoqu::testing;
namespace api = xiaoqu::wecom::api;
namespace wecom = xiaoqu::wecom;
using nlohmann::json;

namespace {
std::string gateway_url(const TestServer& gw) { return "http://127.0.0.1:" + std::to_string(gw.port()); }

void authorize(WecomSandbox& w, const std::string& corp) {
  w.set_latest_ticket("suite-ticket-1");
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, [] { return std::optional<std::string>("suite-ticket-1"); });
  auto r = w.post("/sandbox/wecom/install", {{"suite_id", kSuiteId}, {"corp_id", corp}, {"state", "sync"}});
  api::get_permanent_code(w.api(), kSuiteId, r.at("auth_code").get<std::string>());
}

long long changes(TestServer& gw, const std::string& where) {
  return gw.count("SELECT COUNT(*) FROM wecom_contact_changes WHERE " + where);
}
}  // namespace

TEST(WecomContactChange, SelfBuiltFormReachesTheCorpEndpointAndIsRecorded) {
  TestServer gw;
  WecomSandbox w(gateway_url(gw));
  auto r = w.post("/sandbox/wecom/contact_change", {{"corp_id", kCorpId},
                                                     {"change_type", "create_user"},
                                                     {"user_id", "LiuXiaohong"},
                                                     {"name", "刘晓红"},
                                                     {"mobile", "13700000001"},
                                                     {"department", {4}}});
  ASSERT_EQ(r["errcode"], 0) << r.dump();
  ASSERT_EQ(r["pushes"].size(), 1u);
  EXPECT_EQ(r["pushes"][0]["endpoint"], "corp");
  EXPECT_EQ(r["pushes"][0]["form"], "self_built");
  EXPECT_EQ(r["pushes"][0]["gateway_status"], 200);
  EXPECT_EQ(changes(gw, "endpoint = 'corp' AND corp_id = '" + std::string(kCorpId) +
                            "' AND change_type = 'create_user' AND user_id = 'LiuXiaohong'"),
            1);
  // The gateway re-reads the record from the API: the sandbox's contacts changed too.
  auto m = api::get_user(w.api(), w.corp(), "LiuXiaohong");
  EXPECT_EQ(m.name, "刘晓红");
  EXPECT_EQ(m.departments, std::vector<std::int64_t>{4});
}

TEST(WecomContactChange, AuthorizedCorpGetsTheThirdPartyFormOnTheSuiteEndpoint) {
  TestServer gw;
  WecomSandbox w(gateway_url(gw));
  authorize(w, kInstallCorpId);
  auto r = w.post("/sandbox/wecom/contact_change", {{"corp_id", kInstallCorpId},
                                                     {"change_type", "update_user"},
                                                     {"user_id", "ZhangWei"},
                                                     {"new_user_id", "ZhangWei2"},
                                                     {"department", {2}}});
  ASSERT_EQ(r["pushes"].size(), 1u) << r.dump();
  EXPECT_EQ(r["pushes"][0]["endpoint"], "suite");
  EXPECT_EQ(r["pushes"][0]["form"], "third_party");
  EXPECT_EQ(r["pushes"][0]["gateway_body"], "success");
  EXPECT_EQ(changes(gw, "endpoint = 'suite' AND corp_id = '" + std::string(kInstallCorpId) +
                            "' AND change_type = 'update_user' AND user_id = 'ZhangWei' AND new_user_id = 'ZhangWei2'"),
            1);

  r = w.post("/sandbox/wecom/contact_change",
             {{"corp_id", kInstallCorpId}, {"change_type", "create_party"}, {"id", 7}, {"name", "绿化组"}, {"parent_id", 6}});
  ASSERT_EQ(r["errcode"], 0) << r.dump();
  EXPECT_EQ(changes(gw, "endpoint = 'suite' AND change_type = 'create_party' AND party_id = 7"), 1);
}

TEST(WecomContactChange, ACorpWithASelfBuiltAppAndTheSuiteGetsBothForms) {
  TestServer gw;
  WecomSandbox w(gateway_url(gw));
  authorize(w, kCorpId);
  auto r = w.post("/sandbox/wecom/contact_change", {{"corp_id", kCorpId}, {"change_type", "delete_user"}, {"user_id", "ZhouNa"}});
  ASSERT_EQ(r["pushes"].size(), 2u) << r.dump();
  for (const auto& p : r["pushes"]) EXPECT_EQ(p["gateway_status"], 200);
  EXPECT_EQ(changes(gw, "change_type = 'delete_user' AND user_id = 'ZhouNa' AND corp_id = '" + std::string(kCorpId) + "'"), 2);
  EXPECT_EQ(platform_error([&] { api::get_user(w.api(), w.corp(), "ZhouNa"); }).errcode(), 60111);
}

TEST(WecomContactChange, ARefusedChangeChangesAndPushesNothing) {
  TestServer gw;
  WecomSandbox w(gateway_url(gw));
  auto r = w.post("/sandbox/wecom/contact_change", {{"corp_id", kCorpId}, {"change_type", "create_user"}, {"user_id", "zhangwei"}});
  EXPECT_EQ(r["errcode"], 60102);
  r = w.post("/sandbox/wecom/contact_change", {{"corp_id", kCorpId}, {"change_type", "delete_party"}, {"id", 2}});
  EXPECT_EQ(r["errcode"], 60006);  // 维修组 is still under 工程部
  EXPECT_EQ(w.sb().counter("pushes /wecom/callback/corp"), 0u);
  EXPECT_EQ(changes(gw, "1 = 1"), 0);
}
