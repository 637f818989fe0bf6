// WeCom web login: the QR login page URLs, and the code exchange for a self-built app
// (auth/getuserinfo) and a suite (service/auth/getuserinfo3rd), in both key spellings.
#include <gtest/gtest.h>

#include "wecom/api/login.hpp"
#include "wecom/api/suite.hpp"
#include "tests/wecom/api/wecom_sandbox.hpp"
#include "wecom/credentials.hpp"

using namespace xiaoqu::testing;
namespace api = xiaoqu::wecom::api;
namespace wecom = xiaoqu::wecom;
using Login = api::WebLogin;

namespace {
std::string code_for(WecomSandbox& w, nlohmann::json body) {
  auto r = w.post("/sandbox/wecom/login_code", body);
  if (r.value("errcode", 0) != 0) throw std::runtime_error(r.dump());
  return r.at("code").get<std::string>();
}

void install_suite(WecomSandbox& w) {
  w.set_latest_ticket("suite-ticket-1");
  wecom::define_suite(w.tokens(), w.api(), kSuiteId, kSuiteSecret, [] { return std::optional<std::string>("suite-ticket-1"); });
  auto r = w.post("/sandbox/wecom/install", {{"suite_id", kSuiteId}, {"corp_id", kInstallCorpId}, {"state", "login"}});
  api::get_permanent_code(w.api(), kSuiteId, r.at("auth_code").get<std::string>());
}
}  // namespace

TEST(WecomLogin, CorpAppLoginUrl) {
  WecomSandbox w;
  std::string url = api::web_login_url(w.config().platforms.wecom_login,
                                       Login{Login::Type::corp_app, kCorpId, "1000002", "https://xq.example.com/login?next=/staff", "s1", ""});
  EXPECT_EQ(url, "https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp&appid=" + std::string(kCorpId) +
                     "&agentid=1000002&redirect_uri=https%3A%2F%2Fxq.example.com%2Flogin%3Fnext%3D%2Fstaff&state=s1");
}

TEST(WecomLogin, ServiceAppLoginUrlCarriesTheSuiteAndNoAgent) {
  WecomSandbox w;
  std::string url = api::web_login_url(w.config().platforms.wecom_login,
                                       Login{Login::Type::service_app, kSuiteId, "", "https://xq.example.com/login", "s2", "en"});
  EXPECT_EQ(url, "https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=ServiceApp&appid=" + std::string(kSuiteId) +
                     "&redirect_uri=https%3A%2F%2Fxq.example.com%2Flogin&state=s2&lang=en");
  EXPECT_THROW(api::web_login_url("https://l", Login{Login::Type::corp_app, kCorpId, "", "https://x", "s", ""}), std::invalid_argument);
  EXPECT_THROW(api::web_login_url("https://l", Login{Login::Type::service_app, kSuiteId, "1", "https://x", "s", ""}), std::invalid_argument);
}

TEST(WecomLogin, SelfBuiltCodeIsExchangedOnceForTheMember) {
  WecomSandbox w;
  auto key = w.corp();
  std::string code = code_for(w, {{"corp_id", kCorpId}, {"userid", "ZhangWei"}});
  auto id = api::get_user_info(w.api(), key, code);
  EXPECT_TRUE(id.member());
  EXPECT_EQ(id.userid, "ZhangWei");
  EXPECT_EQ(platform_error([&] { api::get_user_info(w.api(), key, code); }).errcode(), 40029);
}

TEST(WecomLogin, SelfBuiltExchangeAcceptsTheOldUserIdSpelling) {
  WecomSandbox w;
  auto key = w.corp();
  std::string code = code_for(w, {{"corp_id", kCorpId}, {"userid", "WangJun"}, {"legacy", true}});
  auto id = api::get_user_info(w.api(), key, code);
  EXPECT_EQ(id.userid, "WangJun");
}

TEST(WecomLogin, AVisitorWhoIsNotAMemberGetsAnOpenid) {
  WecomSandbox w;
  auto key = w.corp();
  auto id = api::get_user_info(w.api(), key, code_for(w, {{"corp_id", kCorpId}, {"openid", "oVisitor0001"}}));
  EXPECT_FALSE(id.member());
  EXPECT_EQ(id.openid, "oVisitor0001");
}

TEST(WecomLogin, CodeOfAnotherCorpIs40029) {
  WecomSandbox w;
  auto key = w.corp();
  std::string code = code_for(w, {{"corp_id", kCorp2Id}, {"userid", "ZhangWei"}});
  EXPECT_EQ(platform_error([&] { api::get_user_info(w.api(), key, code); }).errcode(), 40029);
}

TEST(WecomLogin, ThirdPartyCodeIsExchangedWithTheSuiteTokenInBothSpellings) {
  WecomSandbox w;
  install_suite(w);
  auto id = api::get_user_info_3rd(w.api(), kSuiteId, code_for(w, {{"suite_id", kSuiteId}, {"userid", "LiChao"}}));
  EXPECT_EQ(id.corp_id, kInstallCorpId);
  EXPECT_EQ(id.userid, "LiChao");
  EXPECT_FALSE(id.open_userid.empty());
  auto old = api::get_user_info_3rd(w.api(), kSuiteId, code_for(w, {{"suite_id", kSuiteId}, {"userid", "LiChao"}, {"legacy", true}}));
  EXPECT_EQ(old.corp_id, kInstallCorpId);
  EXPECT_EQ(old.userid, "LiChao");
  EXPECT_EQ(old.open_userid, id.open_userid);
  // A self-built app's code means nothing to the suite.
  std::string corp_code = code_for(w, {{"corp_id", kCorpId}, {"userid", "LiChao"}});
  EXPECT_EQ(platform_error([&] { api::get_user_info_3rd(w.api(), kSuiteId, corp_code); }).errcode(), 40029);
}
