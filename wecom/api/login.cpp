#include "wecom/api/login.hpp"

#include <stdexcept>

#include "wecom/api/reply_fields.hpp"
#include "wecom/credentials.hpp"

namespace xiaoqu::wecom::api {
namespace {
// Older replies spelled the keys UserId / CorpId / OpenId; both forms are still met.
std::string either(const nlohmann::json& j, const char* name, const char* legacy) {
  std::string v = detail::string_or_empty(j, name);
  return v.empty() ? detail::string_or_empty(j, legacy) : v;
}

LoginIdentity identity_from(const nlohmann::json& j, const std::string& api) {
  LoginIdentity id;
  id.userid = either(j, "userid", "UserId");
  id.openid = either(j, "openid", "OpenId");
  id.external_userid = detail::string_or_empty(j, "external_userid");
  id.corp_id = either(j, "corpid", "CorpId");
  id.open_userid = detail::string_or_empty(j, "open_userid");
  id.user_ticket = detail::string_or_empty(j, "user_ticket");
  if (id.userid.empty() && id.openid.empty())
    throw wechat::PlatformError(api, wechat::PlatformError::Kind::bad_response, 0, "reply lacks userid and openid");
  return id;
}

wechat::ApiRequest code_request(const char* path, const std::string& code) {
  if (code.empty()) throw std::invalid_argument("code: must not be empty");
  wechat::ApiRequest req;
  req.path = path;
  req.query = {{"code", code}};
  return req;
}
}  // namespace

std::string web_login_url(const std::string& base, const WebLogin& l) {
  if (l.appid.empty()) throw std::invalid_argument("appid: required");
  if (l.redirect_uri.empty()) throw std::invalid_argument("redirect_uri: required");
  bool corp = l.type == WebLogin::Type::corp_app;
  if (corp && l.agent_id.empty()) throw std::invalid_argument("agentid: required for a CorpApp login");
  if (!corp && !l.agent_id.empty()) throw std::invalid_argument("agentid: a ServiceApp login takes none");
  std::string url = base + "/wwlogin/sso/login?login_type=" + (corp ? "CorpApp" : "ServiceApp") +
                    "&appid=" + wechat::url_encode(l.appid);
  if (corp) url += "&agentid=" + wechat::url_encode(l.agent_id);
  url += "&redirect_uri=" + wechat::url_encode(l.redirect_uri) + "&state=" + wechat::url_encode(l.state);
  if (!l.lang.empty()) url += "&lang=" + wechat::url_encode(l.lang);
  return url;
}

LoginIdentity get_user_info(wechat::ApiClient& api, const wechat::CredentialKey& corp, const std::string& code) {
  auto req = code_request("/cgi-bin/auth/getuserinfo", code);
  return identity_from(api.call(req, corp), req.path);
}

LoginIdentity get_user_info_3rd(wechat::ApiClient& api, const std::string& suite_id, const std::string& code) {
  auto req = code_request("/cgi-bin/service/auth/getuserinfo3rd", code);
  req.token_param = "suite_access_token";
  return identity_from(api.call(req, suite_key(suite_id)), req.path);
}

}  // namespace xiaoqu::wecom::api
