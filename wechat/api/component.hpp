#pragma once
// Open Platform component authorization (docs/protocol/open-platform-component.md): pre-auth code, the page an
// account admin opens, the code exchange and the authorizer's profile. All calls carry the
// component_access_token of `component_appid`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wechat::api {

struct PreAuthCode {
  std::string code;
  std::int64_t expires_in = 0;  ///< trust this, not the docs' 1800 vs 600
};

/// A pre-auth code for the authorization page.
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/pre_auth_code.html
PreAuthCode create_preauthcode(ApiClient& api, const std::string& component_appid);

/// Which accounts the authorization page lets the admin pick.
enum class AuthType { official_accounts = 1, mini_programs = 2, both = 3 };

/// The authorization page (componentloginpage) offering accounts of `type`.
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/Authorization_Process_Technical_Description.html
std::string component_login_url(std::string_view mp_base_url, const std::string& component_appid, const std::string& pre_auth_code,
                                const std::string& redirect_uri, AuthType type);

/// The authorization page pinned to one account (biz_appid; excludes auth_type).
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/Authorization_Process_Technical_Description.html
std::string component_login_url_for_account(std::string_view mp_base_url, const std::string& component_appid,
                                            const std::string& pre_auth_code, const std::string& redirect_uri,
                                            const std::string& biz_appid);

/// What an authorization code is worth. Persist `refresh_token`: it is handed out only here.
struct Authorization {
  std::string authorizer_appid;
  std::string access_token;
  std::int64_t expires_in = 0;
  std::string refresh_token;
  std::vector<std::int64_t> func_info;  ///< permission sets actually granted (may be fewer than asked)
};

/// Exchanges the authorization code of the redirect or of the `authorized` notice.
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/authorization_info.html
Authorization query_auth(ApiClient& api, const std::string& component_appid, const std::string& authorization_code);

struct AuthorizerInfo {
  std::string authorizer_appid;
  std::string nick_name, head_img;
  std::int64_t service_type = -1;  ///< 0 subscription, 1 upgraded subscription, 2 service account
  std::int64_t verify_type = -1;   ///< -1 unverified, 0 WeChat verified, ...
  std::string user_name;           ///< the original id, gh_...
  std::string principal_name, alias, qrcode_url;
  std::vector<std::int64_t> func_info;
  std::string refresh_token;                 ///< when the reply carries it
  std::optional<std::int64_t> expires_in;    ///< when the reply carries an authorization expiry
};

/// The authorizer's account profile.
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/api_get_authorizer_info.html
AuthorizerInfo get_authorizer_info(ApiClient& api, const std::string& component_appid, const std::string& authorizer_appid);

}  // namespace xiaoqu::wechat::api
