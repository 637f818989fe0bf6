// Web authorization against the sandbox: the authorize URL, code exchange and its errors, userinfo.
#include "wechat/api/oauth.hpp"

#include <gtest/gtest.h>

#include "api_sandbox.hpp"

namespace xiaoqu::wechat::api {
namespace {
using testing::ApiSandbox;
using testing::kMpAppid;
using testing::kMpSecret;
using testing::platform_error_of;

TEST(WechatApiOAuth, AuthorizeUrlHasThePlatformsExactForm) {
  EXPECT_EQ(authorize_url("https://open.weixin.qq.com", "wx5d3c9a1b7e20f468", "https://xq.example.cn/oauth/cb?c=7", OAuthScope::userinfo, "s7Ab9"),
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx5d3c9a1b7e20f468"
            "&redirect_uri=https%3A%2F%2Fxq.example.cn%2Foauth%2Fcb%3Fc%3D7&response_type=code&scope=snsapi_userinfo&state=s7Ab9"
            "#wechat_redirect");
  EXPECT_NE(authorize_url("https://open.weixin.qq.com/", "wx1", "https://a", OAuthScope::base, "x").find("/connect/oauth2/authorize?appid=wx1&"),
            std::string::npos);
  for (std::string bad : {std::string(), std::string("a-b"), std::string("中"), std::string(129, 'a')}) {
    try {
      authorize_url("https://open.weixin.qq.com", "wx1", "https://a", OAuthScope::base, bad);
      ADD_FAILURE() << "accepted state " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("state"), std::string::npos);
    }
  }
  EXPECT_NO_THROW(authorize_url("https://open.weixin.qq.com", "wx1", "https://a", OAuthScope::base, std::string(128, 'a')));
}

std::string code_from(ApiSandbox& s, const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json body = {{"appid", kMpAppid}, {"openid", "oResident00000000000000000001"}, {"redirect_uri", "https://xq.example.cn/cb"}, {"state", "abc123"}};
  body.merge_patch(extra);
  auto [status, reply] = s.post("/sandbox/wechat/oauth/authorize", body);
  EXPECT_EQ(status, 200) << reply;
  std::string redirect = reply.value("redirect", "");
  auto at = redirect.find("code=");
  EXPECT_EQ(redirect.rfind("https://xq.example.cn/cb?code=", 0), 0u) << redirect;
  EXPECT_NE(redirect.find("&state=abc123"), std::string::npos) << redirect;
  return redirect.substr(at + 5, redirect.find('&', at) - at - 5);
}

TEST(WechatApiOAuth, CodeExchangesOnceForTheOpenid) {
  ApiSandbox s;
  std::string code = code_from(s);
  OAuthGrant g = exchange_code(*s.api, kMpAppid, kMpSecret, code);
  EXPECT_EQ(g.openid, "oResident00000000000000000001");
  EXPECT_EQ(g.scope, "snsapi_base");
  EXPECT_FALSE(g.access_token.empty());
  EXPECT_EQ(g.expires_in, 7200);
  EXPECT_TRUE(g.unionid.empty());
  EXPECT_FALSE(g.is_snapshotuser);

  auto reuse = platform_error_of([&] { exchange_code(*s.api, kMpAppid, kMpSecret, code); });
  EXPECT_EQ(reuse.errcode(), 40163);
  EXPECT_EQ(platform_error_of([&] { exchange_code(*s.api, kMpAppid, kMpSecret, "no-such-code"); }).errcode(), 40029);
  EXPECT_EQ(platform_error_of([&] { exchange_code(*s.api, kMpAppid, "wrong-secret", code_from(s)); }).errcode(), 40125);
  // A base grant does not open sns/userinfo.
  EXPECT_EQ(platform_error_of([&] { user_info(*s.api, g.access_token, g.openid); }).errcode(), 48001);
}

TEST(WechatApiOAuth, ExpiredCodeIs42003) {
  ApiSandbox s;
  std::string code = code_from(s, {{"expires_in", 0}});
  EXPECT_EQ(platform_error_of([&] { exchange_code(*s.api, kMpAppid, kMpSecret, code); }).errcode(), 42003);
}

TEST(WechatApiOAuth, UserinfoScopeGivesUnionidAndProfile) {
  ApiSandbox s;
  OAuthGrant g = exchange_code(*s.api, kMpAppid, kMpSecret, code_from(s, {{"scope", "snsapi_userinfo"}, {"is_snapshotuser", 1}}));
  EXPECT_EQ(g.scope, "snsapi_userinfo");
  EXPECT_FALSE(g.unionid.empty());
  EXPECT_TRUE(g.is_snapshotuser);
  OAuthUserInfo u = user_info(*s.api, g.access_token, g.openid);
  EXPECT_EQ(u.openid, g.openid);
  EXPECT_EQ(u.unionid, g.unionid);
  EXPECT_FALSE(u.nickname.empty());
  EXPECT_EQ(platform_error_of([&] { user_info(*s.api, g.access_token, "oSomeoneElse"); }).errcode(), 40003);
  EXPECT_EQ(platform_error_of([&] { user_info(*s.api, "forged-token", g.openid); }).kind(), PlatformError::Kind::platform);
}

}  // namespace
}  // namespace xiaoqu::wechat::api
