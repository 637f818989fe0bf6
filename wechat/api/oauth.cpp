#include "wechat/api/oauth.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "wechat/api/reply_fields.hpp"
#include "wechat/http_transport.hpp"

namespace xiaoqu::wechat::api {

const char* to_string(OAuthScope scope) noexcept { return scope == OAuthScope::userinfo ? "snsapi_userinfo" : "snsapi_base"; }

std::string authorize_url(const std::string& open_base_url, const std::string& appid, const std::string& redirect_uri, OAuthScope scope,
                          const std::string& state) {
  if (state.empty() || state.size() > 128 ||
      !std::all_of(state.begin(), state.end(), [](unsigned char c) { return std::isalnum(c) != 0; }))
    throw std::invalid_argument("state: must be 1 to 128 letters or digits");
  std::string base = open_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/connect/oauth2/authorize?appid=" + url_encode(appid) + "&redirect_uri=" + url_encode(redirect_uri) +
         "&response_type=code&scope=" + to_string(scope) + "&state=" + state + "#wechat_redirect";
}

OAuthGrant exchange_code(ApiClient& api, const std::string& appid, const std::string& secret, const std::string& code) {
  ApiRequest req;
  req.path = "/sns/oauth2/access_token";
  req.retry_transient = false;  // a code is single-use: a retry would only get 40163
  req.query = {{"appid", appid}, {"secret", secret}, {"code", code}, {"grant_type", "authorization_code"}};
  nlohmann::json j = api.call(req);
  OAuthGrant g;
  g.access_token = field<std::string>(j, "access_token", req.path);
  g.expires_in = field<std::int64_t>(j, "expires_in", req.path);
  g.refresh_token = optional_field<std::string>(j, "refresh_token", req.path);
  g.openid = field<std::string>(j, "openid", req.path);
  g.scope = optional_field<std::string>(j, "scope", req.path);
  g.unionid = optional_field<std::string>(j, "unionid", req.path);
  g.is_snapshotuser = optional_field<std::int64_t>(j, "is_snapshotuser", req.path) != 0;
  return g;
}

OAuthUserInfo user_info(ApiClient& api, const std::string& user_access_token, const std::string& openid, const std::string& lang) {
  ApiRequest req;
  req.path = "/sns/userinfo";
  req.query = {{"access_token", user_access_token}, {"openid", openid}, {"lang", lang}};
  nlohmann::json j = api.call(req);
  OAuthUserInfo u;
  u.openid = field<std::string>(j, "openid", req.path);
  u.nickname = optional_field<std::string>(j, "nickname", req.path);
  u.sex = optional_field<std::int64_t>(j, "sex", req.path);
  u.province = optional_field<std::string>(j, "province", req.path);
  u.city = optional_field<std::string>(j, "city", req.path);
  u.country = optional_field<std::string>(j, "country", req.path);
  u.headimgurl = optional_field<std::string>(j, "headimgurl", req.path);
  u.privilege = optional_field<std::vector<std::string>>(j, "privilege", req.path);
  u.unionid = optional_field<std::string>(j, "unionid", req.path);
  return u;
}

}  // namespace xiaoqu::wechat::api
