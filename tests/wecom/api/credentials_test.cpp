// WeCom token fetchers against the sandbox over real sockets: corp tokens per (corp, agent),
// the suite token and its ticket, authorized-corp tokens, and refresh-once on rejection.
#include <gtest/gtest.h>

#include "wecom/api/department.hpp"
#include "wecom/api/suite.hpp"
#include "tests/wecom/api/wecom_sandbox.hpp"
#include "wecom/credentials.hpp"

using namespace xiaoqu::testing;
namespace wecom = xiaoqu::wecom;
namespace api = xiaoqu::wecom::api;
using xiaoqu::wechat::PlatformError;

namespace {
std::shared_ptr<std::optional<std::string>> ticket_holder(const std::string& t = {}) {
  auto p = std::make_shared<std::optional<std::string>>();
  if (!t.empty()) *p = t;
  return p;
}
}  // namespace

TEST(WecomCredentials, CorpTokenIsCachedPerCorpAndAgent) {
  WecomSandbox w;
  auto a = w.corp();
  auto b = wecom::define_corp(w.tokens(), w.api(), kCorp2Id, kCorp2Agent, kCorp2Secret);
  EXPECT_EQ(a.id, std::string(kCorpId) + "/" + kCorpAgent);
  std::string ta = w.tokens().get(a), tb = w.tokens().get(b);
  EXPECT_NE(ta, tb);
  EXPECT_EQ(w.tokens().get(a), ta);
  EXPECT_EQ(w.tokens().get(b), tb);
  EXPECT_EQ(w.calls("/cgi-bin/gettoken"), 2u);
  EXPECT_EQ(w.sb().token_owner("wecom_corp", ta), std::string(kCorpId) + "/" + kCorpAgent);
  EXPECT_EQ(w.sb().token_owner("wecom_corp", tb), std::string(kCorp2Id) + "/" + kCorp2Agent);
}

TEST(WecomCredentials, EachAgentKeyOfACorpIsCachedSeparately) {
  WecomSandbox w;
  auto app = w.corp();
  // A second secret of the same corp (here the contacts-sync one) is its own key.
  auto contacts = wecom::define_corp(w.tokens(), w.api(), kCorpId, "contacts", kCorpSecret);
  EXPECT_TRUE(app < contacts || contacts < app);
  w.tokens().get(app);
  w.tokens().get(contacts);
  w.tokens().get(app);
  EXPECT_EQ(w.calls("/cgi-bin/gettoken"), 2u);
}

TEST(WecomCredentials, WrongCorpSecretFailsWithoutARetry) {
  WecomSandbox w;
  auto key = wecom::define_corp(w.tokens(), w.api(), kCorpId, kCorpAgent, "notTheSecret");
  auto e = platform_error([&] { api::list_departments(w.api(), key); });
  EXPECT_EQ(e.errcode(), 40001);
  EXPECT_EQ(w.calls("/cgi-bin/gettoken"), 1u);
  EXPECT_EQ(w.calls("/cgi-bin/department/list"), 0u);
}

TEST(WecomCredentials, CorpTokenRefusedByThePlatformIsRefreshedOnce) {
  WecomSandbox w;
  auto key = w.corp();
  std::string first = w.tokens().get(key);
  // Another instance refreshed the token: ours is no longer valid.
  w.sb().invalidate_tokens("wecom_corp", std::string(kCorpId) + "/" + kCorpAgent);
  EXPECT_FALSE(api::list_departments(w.api(), key).empty());
  EXPECT_EQ(w.calls("/cgi-bin/gettoken"), 2u);
  EXPECT_EQ(w.calls("/cgi-bin/department/list"), 2u);
  EXPECT_NE(w.tokens().get(key), first);
}

TEST(WecomCredentials, ATokenRefusedTwiceIsNotRefreshedAgain) {
  WecomSandbox w;
  auto key = w.corp();
  xiaoqu::sandbox::Fault f;
  f.errcode = 42001;
  f.errmsg = "access_token expired";
  w.sb().set_fault("/cgi-bin/department/list", f);
  auto e = platform_error([&] { api::list_departments(w.api(), key); });
  EXPECT_EQ(e.errcode(), 42001);
  EXPECT_EQ(w.calls("/cgi-bin/department/list"), 2u);
  EXPECT_EQ(w.calls("/cgi-bin/gettoken"), 2u);
}

TEST(WecomCredentials, SuiteTokenWithoutATicketIsAMissingCredential) {
  WecomSandbox w;
  auto key = w.suite(ticket_holder());
  auto e = platform_error([&] { w.tokens().get(key); });
  EXPECT_EQ(e.kind(), PlatformError::Kind::credential);
  EXPECT_NE(std::string(e.what()).find("suite_ticket"), std::string::npos);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_suite_token"), 0u);
}

TEST(WecomCredentials, SuiteTokenIsFetchedWithTheNewestTicket) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  auto key = w.suite(ticket_holder("suite-ticket-1"));
  std::string token = w.tokens().get(key);
  EXPECT_EQ(w.sb().token_owner("wecom_suite", token), std::string(kSuiteId));
  EXPECT_FALSE(api::get_pre_auth_code(w.api(), kSuiteId).code.empty());
  EXPECT_EQ(w.calls("/cgi-bin/service/get_suite_token"), 1u);
}

TEST(WecomCredentials, AnOldSuiteTicketFailsWith40085AndIsNotRetried) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-new");
  auto ticket = ticket_holder("suite-ticket-old");
  w.suite(ticket);
  auto e = platform_error([&] { api::get_pre_auth_code(w.api(), kSuiteId); });
  EXPECT_EQ(e.errcode(), 40085);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_suite_token"), 1u);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_pre_auth_code"), 0u);
  // Once the newest ticket has arrived, the same credential works.
  *ticket = "suite-ticket-new";
  EXPECT_NO_THROW(api::get_pre_auth_code(w.api(), kSuiteId));
}

TEST(WecomCredentials, WrongSuiteSecretFailsWith40080) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  auto key = wecom::define_suite(w.tokens(), w.api(), kSuiteId, "wrongSecret", [] { return std::optional<std::string>("suite-ticket-1"); });
  auto e = platform_error([&] { w.tokens().get(key); });
  EXPECT_EQ(e.errcode(), 40080);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_suite_token"), 1u);
}

TEST(WecomCredentials, ExpiredSuiteTokenIsRefreshedOnceAndTheCallSucceeds) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  auto key = w.suite(ticket_holder("suite-ticket-1"));
  api::get_pre_auth_code(w.api(), kSuiteId);
  std::string old = w.tokens().get(key);
  w.sb().invalidate_tokens("wecom_suite", kSuiteId);
  // The sandbox now answers 42009 for the old token, as WeCom does for an expired one.
  EXPECT_FALSE(api::get_pre_auth_code(w.api(), kSuiteId).code.empty());
  EXPECT_EQ(w.calls("/cgi-bin/service/get_suite_token"), 2u);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_pre_auth_code"), 3u);
  EXPECT_NE(w.tokens().get(key), old);
}

TEST(WecomCredentials, SuiteTokenExpiringAgainAfterTheRefreshFails) {
  WecomSandbox w;
  w.set_latest_ticket("suite-ticket-1");
  w.suite(ticket_holder("suite-ticket-1"));
  xiaoqu::sandbox::Fault f;
  f.errcode = 42009;
  f.errmsg = "suite_access_token expired";
  w.sb().set_fault("/cgi-bin/service/get_pre_auth_code", f);
  auto e = platform_error([&] { api::get_pre_auth_code(w.api(), kSuiteId); });
  EXPECT_EQ(e.errcode(), 42009);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_pre_auth_code"), 2u);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_suite_token"), 2u);
}

TEST(WecomCredentials, AuthorizedCorpWithoutAPermanentCodeIsAMissingCredential) {
  WecomSandbox w;
  auto key = wecom::define_authorized_corp(w.tokens(), w.api(), kSuiteId, kInstallCorpId, [] { return std::optional<std::string>(); });
  EXPECT_EQ(key.kind, xiaoqu::wechat::CredentialKind::wecom_authorized_corp);
  auto e = platform_error([&] { api::list_departments(w.api(), key); });
  EXPECT_EQ(e.kind(), PlatformError::Kind::credential);
  EXPECT_EQ(w.calls("/cgi-bin/service/get_corp_token"), 0u);
}
