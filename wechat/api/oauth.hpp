#pragma once
// Official Account web authorization (docs/protocol/oauth.md): the authorize URL a resident is sent to, the
// server-side code exchange and the profile call. These use the user's own web token, not the
// account token, so they take no CredentialKey.
#include <cstdint>
#include <string>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wechat::api {

enum class OAuthScope {
  base,      ///< snsapi_base: silent, the openid only
  userinfo,  ///< snsapi_userinfo: a consent page, then sns/userinfo works
};
const char* to_string(OAuthScope scope) noexcept;

/// The page to send the user to, in the platform's exact form (parameter order, #wechat_redirect).
/// `state` must be 1 to 128 of [A-Za-z0-9], else std::invalid_argument naming it.
/// https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
std::string authorize_url(const std::string& open_base_url, const std::string& appid, const std::string& redirect_uri, OAuthScope scope,
                          const std::string& state);

/// What a code is worth. Never bind or verify a user with `is_snapshotuser` set.
struct OAuthGrant {
  std::string access_token;  ///< the user's web token, for sns/userinfo
  std::int64_t expires_in = 0;
  std::string refresh_token;
  std::string openid;
  std::string scope;
  std::string unionid;       ///< snsapi_userinfo on an account bound to an open-platform account only
  bool is_snapshotuser = false;
};

/// Exchanges a code (single use, 5 minutes). 40029 invalid, 40163 used, 42003 expired surface
/// as PlatformError. The secret travels in the query, as the platform requires.
/// https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsaccesstoken
OAuthGrant exchange_code(ApiClient& api, const std::string& appid, const std::string& secret, const std::string& code);

struct OAuthUserInfo {
  std::string openid, nickname;
  std::int64_t sex = 0;
  std::string province, city, country, headimgurl;
  std::vector<std::string> privilege;
  std::string unionid;
};

/// The profile behind a snsapi_userinfo grant.
/// https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
OAuthUserInfo user_info(ApiClient& api, const std::string& user_access_token, const std::string& openid, const std::string& lang = "zh_CN");

}  // namespace xiaoqu::wechat::api
