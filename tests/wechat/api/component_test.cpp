// Open Platform component authorization against the sandbox: ticket, pre-auth code, login
// page URL, the `authorized` notice, code exchange and the authorizer's profile.
#include "wechat/api/component.hpp"

#include <gtest/gtest.h>

#include "api_sandbox.hpp"
#include "sandbox/tickets.hpp"
#include "wechat/component_notice.hpp"

namespace xiaoqu::wechat::api {
namespace {
using testing::ApiSandbox;
using testing::kComponentAppid;
using testing::kComponentSecret;
using testing::kMpAppid;
using testing::platform_error_of;

// The component's token, fed from the ticket the sandbox pushed to our stand-in gateway.
CredentialKey define_from_pushed_ticket(ApiSandbox& s, std::string& ticket) {
  EXPECT_EQ(sandbox::push_component_verify_ticket(*s.sb, kComponentAppid), 200);
  auto push = s.gateway.wait_for([](const auto& r) { return r.path == std::string("/wechat/component/") + kComponentAppid; });
  EXPECT_TRUE(push);
  auto notice = parse_component_notice(testing::open_push(*push, testing::kComponentToken, testing::kComponentKey));
  EXPECT_TRUE(std::holds_alternative<ComponentVerifyTicket>(notice));
  if (auto* t = std::get_if<ComponentVerifyTicket>(&notice)) ticket = t->ticket;
  return define_component(*s.tokens, *s.api, kComponentAppid, kComponentSecret, [&ticket] { return std::optional(ticket); });
}

TEST(WechatApiComponent, AuthorizationFromPreAuthCodeToAuthorizerInfo) {
  ApiSandbox s;
  std::string ticket;
  define_from_pushed_ticket(s, ticket);

  PreAuthCode pre = create_preauthcode(*s.api, kComponentAppid);
  EXPECT_EQ(pre.code.rfind("preauthcode@@@", 0), 0u);
  EXPECT_EQ(pre.expires_in, 600);
  EXPECT_EQ(s.counter("calls /cgi-bin/component/api_component_token"), 1u);

  auto [status, body] = s.post("/sandbox/wechat/authorize_component", {{"component_appid", kComponentAppid},
                                                                        {"authorizer_appid", kMpAppid},
                                                                        {"pre_auth_code", pre.code},
                                                                        {"func_info", {1, 2, 7}},
                                                                        {"redirect_uri", "https://xq.example.cn/component/cb"}});
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(body["gateway_status"], 200);
  std::string code = body["authorization_code"];
  EXPECT_EQ(body["redirect"], "https://xq.example.cn/component/cb?auth_code=" + code + "&expires_in=3600");

  // The same code arrives in the `authorized` notice.
  auto push = s.gateway.wait_for([](const auto& r) {
    auto n = parse_component_notice(testing::open_push(r, testing::kComponentToken, testing::kComponentKey));
    return std::holds_alternative<AuthorizationGranted>(n);
  });
  ASSERT_TRUE(push);
  auto granted = std::get<AuthorizationGranted>(parse_component_notice(testing::open_push(*push, testing::kComponentToken, testing::kComponentKey)));
  EXPECT_EQ(granted.authorization_code, code);
  EXPECT_EQ(granted.authorizer_appid, kMpAppid);
  EXPECT_EQ(granted.pre_auth_code, pre.code);

  Authorization a = query_auth(*s.api, kComponentAppid, code);
  EXPECT_EQ(a.authorizer_appid, kMpAppid);
  EXPECT_EQ(a.expires_in, 7200);
  EXPECT_EQ(a.refresh_token.rfind("refreshtoken@@@", 0), 0u);
  EXPECT_EQ(a.func_info, (std::vector<std::int64_t>{1, 2, 7}));
  EXPECT_EQ(s.sb->token_owner("authorizer", a.access_token), std::optional<std::string>(kMpAppid));
  // Codes are single use.
  EXPECT_EQ(platform_error_of([&] { query_auth(*s.api, kComponentAppid, code); }).errcode(), 61009);

  AuthorizerInfo info = get_authorizer_info(*s.api, kComponentAppid, kMpAppid);
  EXPECT_EQ(info.authorizer_appid, kMpAppid);
  EXPECT_EQ(info.nick_name, "阳光花园");
  EXPECT_EQ(info.service_type, 2);
  EXPECT_EQ(info.verify_type, 0);
  EXPECT_EQ(info.user_name.rfind("gh_", 0), 0u);
  EXPECT_FALSE(info.principal_name.empty());
  EXPECT_FALSE(info.qrcode_url.empty());
  EXPECT_EQ(info.func_info, (std::vector<std::int64_t>{1, 2, 7}));
  EXPECT_EQ(info.refresh_token, a.refresh_token);
  EXPECT_EQ(s.counter("calls /cgi-bin/component/api_component_token"), 1u);
}

TEST(WechatApiComponent, NewerTicketMakesTheHeldOneExpire) {
  ApiSandbox s;
  std::string ticket;
  auto key = define_from_pushed_ticket(s, ticket);
  std::string held = ticket;
  ASSERT_EQ(sandbox::push_component_verify_ticket(*s.sb, kComponentAppid), 200);
  ticket = held;  // we missed the newer push
  EXPECT_EQ(platform_error_of([&] { s.tokens->get(key); }).errcode(), 61005);
}

TEST(WechatApiComponent, UnauthorizedAccountHasNoInfo) {
  ApiSandbox s;
  std::string ticket;
  define_from_pushed_ticket(s, ticket);
  EXPECT_EQ(platform_error_of([&] { get_authorizer_info(*s.api, kComponentAppid, "wxnotauthorized001"); }).errcode(), 61003);
  EXPECT_EQ(platform_error_of([&] { query_auth(*s.api, kComponentAppid, "queryauthcode@@@forged"); }).errcode(), 61009);
}

TEST(WechatApiComponent, LoginPageUrls) {
  EXPECT_EQ(component_login_url("https://mp.weixin.qq.com", "wxc", "preauthcode@@@x", "https://xq.example.cn/cb?a=1", AuthType::official_accounts),
            "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wxc&pre_auth_code=preauthcode%40%40%40x"
            "&redirect_uri=https%3A%2F%2Fxq.example.cn%2Fcb%3Fa%3D1&auth_type=1");
  std::string pinned = component_login_url_for_account("https://mp.weixin.qq.com/", "wxc", "p", "https://a", "wxbiz");
  EXPECT_EQ(pinned, "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wxc&pre_auth_code=p&redirect_uri=https%3A%2F%2Fa&biz_appid=wxbiz");
  EXPECT_EQ(pinned.find("auth_type"), std::string::npos);
}

}  // namespace
}  // namespace xiaoqu::wechat::api
