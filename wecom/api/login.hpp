#pragma once
// WeCom web login from a desktop browser (docs/protocol/oauth.md): the QR login page URL, and the
// exchange of the code the browser brings back for the member's identity — auth/getuserinfo
// for a self-built app (CorpApp), service/auth/getuserinfo3rd for a suite (ServiceApp).
#include <cstdint>
#include <string>

#include "wechat/api_client.hpp"

namespace xiaoqu::wecom::api {

struct WebLogin {
  enum class Type { corp_app, service_app };
  Type type = Type::corp_app;
  std::string appid;     ///< corp id (CorpApp) or suite id (ServiceApp)
  std::string agent_id;  ///< CorpApp only
  std::string redirect_uri;
  std::string state;
  std::string lang;  ///< "zh" / "en"; empty leaves the platform's default
};

/// wwlogin/sso/login on `wecom_login_base` (config platforms.wecom_login). A CorpApp login
/// without an agent id, or a ServiceApp login with one, throws std::invalid_argument.
/// https://developer.work.weixin.qq.com/document/path/98171
std::string web_login_url(const std::string& wecom_login_base, const WebLogin& login);

/// Who the code belongs to. A member has `userid`; a visitor who is not a member has
/// `openid` (and `external_userid` when they are a customer of the corp).
struct LoginIdentity {
  std::string userid;
  std::string openid, external_userid;
  std::string corp_id;      ///< getuserinfo3rd only
  std::string open_userid;  ///< getuserinfo3rd only
  std::string user_ticket;  ///< only with a consent scope
  bool member() const noexcept { return !userid.empty(); }
};

/// auth/getuserinfo with the self-built app's token; 40029 for an invalid or used code.
/// https://developer.work.weixin.qq.com/document/path/98177
LoginIdentity get_user_info(wechat::ApiClient& api, const wechat::CredentialKey& corp, const std::string& code);

/// service/auth/getuserinfo3rd with the suite token.
/// https://developer.work.weixin.qq.com/document/path/91121
LoginIdentity get_user_info_3rd(wechat::ApiClient& api, const std::string& suite_id, const std::string& code);

}  // namespace xiaoqu::wecom::api
