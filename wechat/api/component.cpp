#include "wechat/api/component.hpp"

#include "wechat/api/reply_fields.hpp"
#include "wechat/credentials.hpp"
#include "wechat/http_transport.hpp"

namespace xiaoqu::wechat::api {
namespace {
nlohmann::json post(ApiClient& api, const std::string& component_appid, const char* path, nlohmann::json body,
                    bool retry_transient = true) {
  ApiRequest req;
  req.method = "POST";
  req.path = path;
  req.token_param = "component_access_token";
  req.retry_transient = retry_transient;
  req.body = std::move(body);
  return api.call(req, component_key(component_appid));
}

std::string login_url(std::string_view mp_base_url, const std::string& component_appid, const std::string& pre_auth_code,
                      const std::string& redirect_uri) {
  std::string base(mp_base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/cgi-bin/componentloginpage?component_appid=" + url_encode(component_appid) + "&pre_auth_code=" +
         url_encode(pre_auth_code) + "&redirect_uri=" + url_encode(redirect_uri);
}
}  // namespace

PreAuthCode create_preauthcode(ApiClient& api, const std::string& component_appid) {
  const char* path = "/cgi-bin/component/api_create_preauthcode";
  nlohmann::json j = post(api, component_appid, path, {{"component_appid", component_appid}});
  return {field<std::string>(j, "pre_auth_code", path), optional_field<std::int64_t>(j, "expires_in", path)};
}

std::string component_login_url(std::string_view mp_base_url, const std::string& component_appid, const std::string& pre_auth_code,
                                const std::string& redirect_uri, AuthType type) {
  return login_url(mp_base_url, component_appid, pre_auth_code, redirect_uri) + "&auth_type=" + std::to_string(static_cast<int>(type));
}

std::string component_login_url_for_account(std::string_view mp_base_url, const std::string& component_appid,
                                            const std::string& pre_auth_code, const std::string& redirect_uri,
                                            const std::string& biz_appid) {
  return login_url(mp_base_url, component_appid, pre_auth_code, redirect_uri) + "&biz_appid=" + url_encode(biz_appid);
}

Authorization query_auth(ApiClient& api, const std::string& component_appid, const std::string& authorization_code) {
  const char* path = "/cgi-bin/component/api_query_auth";
  // The authorization code is single-use: a retry after a lost reply would only get 61009.
  nlohmann::json j = post(api, component_appid, path, {{"component_appid", component_appid}, {"authorization_code", authorization_code}},
                          false);
  const auto& info = object_field(j, "authorization_info", path);
  Authorization a;
  a.authorizer_appid = field<std::string>(info, "authorizer_appid", path);
  a.access_token = field<std::string>(info, "authorizer_access_token", path);
  a.expires_in = field<std::int64_t>(info, "expires_in", path);
  a.refresh_token = field<std::string>(info, "authorizer_refresh_token", path);
  a.func_info = func_scope_ids(info, path);
  return a;
}

AuthorizerInfo get_authorizer_info(ApiClient& api, const std::string& component_appid, const std::string& authorizer_appid) {
  const char* path = "/cgi-bin/component/api_get_authorizer_info";
  nlohmann::json j = post(api, component_appid, path, {{"component_appid", component_appid}, {"authorizer_appid", authorizer_appid}});
  const auto& who = object_field(j, "authorizer_info", path);
  AuthorizerInfo r;
  r.nick_name = optional_field<std::string>(who, "nick_name", path);
  r.head_img = optional_field<std::string>(who, "head_img", path);
  if (auto it = who.find("service_type_info"); it != who.end() && it->is_object()) r.service_type = field<std::int64_t>(*it, "id", path);
  if (auto it = who.find("verify_type_info"); it != who.end() && it->is_object()) r.verify_type = field<std::int64_t>(*it, "id", path);
  r.user_name = optional_field<std::string>(who, "user_name", path);
  r.principal_name = optional_field<std::string>(who, "principal_name", path);
  r.alias = optional_field<std::string>(who, "alias", path);
  r.qrcode_url = optional_field<std::string>(who, "qrcode_url", path);
  if (auto it = j.find("authorization_info"); it != j.end() && it->is_object()) {
    const auto& info = *it;
    // Doc samples spell the appid three ways over the years.
    for (const char* name : {"authorizer_appid", "authorization_appid", "appid"})
      if (r.authorizer_appid.empty()) r.authorizer_appid = optional_field<std::string>(info, name, path);
    r.func_info = func_scope_ids(info, path);
    r.refresh_token = optional_field<std::string>(info, "authorizer_refresh_token", path);
    if (info.contains("expires_in")) r.expires_in = field<std::int64_t>(info, "expires_in", path);
  }
  if (r.authorizer_appid.empty()) r.authorizer_appid = authorizer_appid;
  return r;
}

}  // namespace xiaoqu::wechat::api
