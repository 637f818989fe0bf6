// Sandbox component endpoints (docs/protocol/open-platform-component.md): component token against the newest
// verify ticket, pre-auth codes, authorization codes (made by a control endpoint standing in
// for the admin's consent, with the `authorized` notice pushed), the code exchange, authorizer
// tokens with rotating refresh tokens, and the authorizer's profile.
#include <httplib.h>

#include "sandbox/tickets.hpp"
#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {
namespace {
constexpr std::int64_t kPreAuthLife = 600;
constexpr std::int64_t kAuthCodeLife = 3600;

struct Grant {
  std::string refresh_token;
  std::vector<std::int64_t> func_info;
};

struct ComponentState {
  std::map<std::string, std::pair<std::string, std::int64_t>> pre_auth_codes;  ///< code → component, expiry
  struct AuthCode {
    std::string component, authorizer;
    std::int64_t expires_at;
    bool used;
    std::vector<std::int64_t> func_info;
  };
  std::map<std::string, AuthCode> auth_codes;
  std::map<std::pair<std::string, std::string>, Grant> grants;  ///< (component, authorizer) → current grant
};

nlohmann::json func_info_json(const std::vector<std::int64_t>& ids) {
  nlohmann::json list = nlohmann::json::array();
  for (auto id : ids) list.push_back({{"funcscope_category", {{"id", id}}}});
  return list;
}

std::string new_refresh_token() { return "refreshtoken@@@" + random_text(43); }

// Checks the component token (either query name) and that the body names the same component.
std::optional<nlohmann::json> component_call(Sandbox& sb, const httplib::Request& req, httplib::Response& res) {
  const char* param = req.has_param("component_access_token") ? "component_access_token" : "access_token";
  auto owner = sb.require_token(req, res, "component", param);
  if (!owner) return std::nullopt;
  auto body = Sandbox::body_json(req, res);
  if (!body) return std::nullopt;
  if (string_member(*body, "component_appid") != *owner) {
    Sandbox::error(res, 40013, "invalid appid: component_appid does not match the token");
    return std::nullopt;
  }
  return body;
}

std::string notice_xml(const std::string& component, const std::string& info_type, const std::string& authorizer, const std::string& more) {
  return "<xml>" + cdata("AppId", component) + "<CreateTime>" + std::to_string(unix_now()) + "</CreateTime>" + cdata("InfoType", info_type) +
         cdata("AuthorizerAppid", authorizer) + more + "</xml>";
}
}  // namespace

void register_wechat_component(Sandbox& sb) {
  /// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_access_token.html
  sb.post("/cgi-bin/component/api_component_token", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "component_appid").value_or("");
    const auto* comp = find_component(sb.config(), appid);
    if (!comp) return Sandbox::error(res, 40013, "invalid appid");
    if (comp->app_secret.empty() || string_member(*body, "component_appsecret") != comp->app_secret)
      return Sandbox::error(res, 40125, "invalid appsecret");
    auto ticket = string_member(*body, "component_verify_ticket").value_or("");
    std::string latest;
    {
      std::lock_guard lk(sb.mutex());
      auto& tickets = sb.state<Tickets>().component_verify_ticket;
      if (auto it = tickets.find(appid); it != tickets.end()) latest = it->second;
    }
    if (latest.empty() || ticket != latest) {
      // A ticket shaped like ours but not the newest has expired; anything else is invalid.
      if (!latest.empty() && ticket.rfind("ticket@@@", 0) == 0) return Sandbox::error(res, 61005, "component ticket is expired");
      return Sandbox::error(res, 61006, "component ticket is invalid");
    }
    Sandbox::reply(res, {{"component_access_token", sb.issue_token("component", appid)}, {"expires_in", 7200}});
  });

  /// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/pre_auth_code.html
  sb.post("/cgi-bin/component/api_create_preauthcode", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = component_call(sb, req, res);
    if (!body) return;
    std::string code = "preauthcode@@@" + random_text(40);
    {
      std::lock_guard lk(sb.mutex());
      sb.state<ComponentState>().pre_auth_codes[code] = {*string_member(*body, "component_appid"), unix_now() + kPreAuthLife};
    }
    Sandbox::reply(res, {{"pre_auth_code", code}, {"expires_in", kPreAuthLife}});
  });

  /// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/authorization_info.html
  sb.post("/cgi-bin/component/api_query_auth", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = component_call(sb, req, res);
    if (!body) return;
    std::string component = *string_member(*body, "component_appid");
    auto code = string_member(*body, "authorization_code");
    if (!code) return Sandbox::error(res, 47001, "data format error: authorization_code");
    Grant grant;
    std::string authorizer;
    {
      std::lock_guard lk(sb.mutex());
      auto& state = sb.state<ComponentState>();
      auto it = state.auth_codes.find(*code);
      if (it == state.auth_codes.end() || it->second.component != component || it->second.used)
        return Sandbox::error(res, 61009, "code is invalid");
      if (it->second.expires_at <= unix_now()) return Sandbox::error(res, 61010, "code is expired");
      it->second.used = true;
      authorizer = it->second.authorizer;
      grant = Grant{new_refresh_token(), it->second.func_info};
      state.grants[{component, authorizer}] = grant;
    }
    std::string token = sb.issue_token("authorizer", authorizer, true);
    Sandbox::reply(res, {{"authorization_info",
                          {{"authorizer_appid", authorizer},
                           {"authorizer_access_token", token},
                           {"expires_in", 7200},
                           {"authorizer_refresh_token", grant.refresh_token},
                           {"func_info", func_info_json(grant.func_info)}}}});
  });

  /// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/api_authorizer_token.html
  sb.post("/cgi-bin/component/api_authorizer_token", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = component_call(sb, req, res);
    if (!body) return;
    std::string component = *string_member(*body, "component_appid");
    auto authorizer = string_member(*body, "authorizer_appid");
    auto refresh = string_member(*body, "authorizer_refresh_token");
    if (!authorizer || !refresh) return Sandbox::error(res, 47001, "data format error: authorizer_appid, authorizer_refresh_token");
    std::string fresh = new_refresh_token();
    {
      std::lock_guard lk(sb.mutex());
      auto& grants = sb.state<ComponentState>().grants;
      auto it = grants.find({component, *authorizer});
      // Only the newest refresh token works: an older one is as lost as none.
      if (it == grants.end() || it->second.refresh_token != *refresh) return Sandbox::error(res, 61023, "refresh_token is invalid");
      it->second.refresh_token = fresh;
    }
    Sandbox::reply(res, {{"authorizer_access_token", sb.issue_token("authorizer", *authorizer, true)},
                         {"expires_in", 7200},
                         {"authorizer_refresh_token", fresh}});
  });

  /// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/api_get_authorizer_info.html
  sb.post("/cgi-bin/component/api_get_authorizer_info", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = component_call(sb, req, res);
    if (!body) return;
    std::string component = *string_member(*body, "component_appid");
    auto authorizer = string_member(*body, "authorizer_appid");
    if (!authorizer) return Sandbox::error(res, 47001, "data format error: authorizer_appid");
    Grant grant;
    {
      std::lock_guard lk(sb.mutex());
      auto& grants = sb.state<ComponentState>().grants;
      auto it = grants.find({component, *authorizer});
      if (it == grants.end()) return Sandbox::error(res, 61003, "component is not authorized by this account");
      grant = it->second;
    }
    const auto* acc = find_official_account(sb.config(), *authorizer);
    std::string name = acc && !acc->name.empty() ? acc->name : "沙箱公众号";
    Sandbox::reply(res, {{"authorizer_info",
                          {{"nick_name", name},
                           {"head_img", sb.base_url() + "/sandbox/wechat/head_img/" + *authorizer},
                           {"service_type_info", {{"id", 2}}},
                           {"verify_type_info", {{"id", 0}}},
                           {"user_name", original_id(*authorizer)},
                           {"principal_name", name + "物业服务有限公司"},
                           {"alias", ""},
                           {"business_info", {{"open_store", 0}, {"open_scan", 0}, {"open_pay", 0}, {"open_card", 0}, {"open_shake", 0}}},
                           {"qrcode_url", sb.base_url() + "/sandbox/wechat/account_qrcode/" + *authorizer}}},
                         {"authorization_info",
                          {{"authorizer_appid", *authorizer},
                           {"authorizer_refresh_token", grant.refresh_token},
                           {"func_info", func_info_json(grant.func_info)}}}});
  });

  // ---- control: an account admin consents (or withdraws) on the authorization page ----
  sb.post("/sandbox/wechat/authorize_component", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto component = string_member(*body, "component_appid");
    auto authorizer = string_member(*body, "authorizer_appid");
    if (!component || !authorizer || authorizer->empty()) return control_error(res, 400, "component_appid and authorizer_appid are required");
    const auto* comp = find_component(sb.config(), *component);
    if (!comp) return control_error(res, 404, "no component " + *component + " in the configuration");
    std::vector<std::int64_t> funcs{1, 2, 3};
    if (auto f = body->find("func_info"); f != body->end()) {
      if (!f->is_array()) return control_error(res, 400, "func_info is a list of permission set ids");
      funcs = f->get<std::vector<std::int64_t>>();
    }
    auto pre_auth = string_member(*body, "pre_auth_code");
    std::string code = "queryauthcode@@@" + random_text(40);
    std::int64_t expires_at = unix_now() + kAuthCodeLife;
    bool update = false;
    {
      std::lock_guard lk(sb.mutex());
      auto& state = sb.state<ComponentState>();
      if (pre_auth) {
        auto it = state.pre_auth_codes.find(*pre_auth);
        if (it == state.pre_auth_codes.end() || it->second.first != *component || it->second.second <= unix_now())
          return control_error(res, 400, "unknown or expired pre_auth_code");
        state.pre_auth_codes.erase(it);
      }
      update = state.grants.count({*component, *authorizer}) > 0;
      state.auth_codes[code] = {*component, *authorizer, expires_at, false, funcs};
    }
    std::string more = cdata("AuthorizationCode", code) + "<AuthorizationCodeExpiredTime>" + std::to_string(expires_at) +
                       "</AuthorizationCodeExpiredTime>" + cdata("PreAuthCode", pre_auth.value_or("preauthcode@@@sandbox"));
    auto [status, reply] = sb.push("/wechat/component/" + *component, comp->token, comp->encoding_aes_key, *component,
                                   notice_xml(*component, update ? "updateauthorized" : "authorized", *authorizer, more));
    nlohmann::json out = {{"authorization_code", code}, {"expires_in", kAuthCodeLife}, {"gateway_status", status}};
    if (auto redirect = string_member(*body, "redirect_uri"))
      out["redirect"] = *redirect + (redirect->find('?') == std::string::npos ? "?" : "&") + "auth_code=" + code +
                        "&expires_in=" + std::to_string(kAuthCodeLife);
    Sandbox::reply(res, out);
  });

  sb.post("/sandbox/wechat/unauthorize_component", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto component = string_member(*body, "component_appid");
    auto authorizer = string_member(*body, "authorizer_appid");
    if (!component || !authorizer) return control_error(res, 400, "component_appid and authorizer_appid are required");
    const auto* comp = find_component(sb.config(), *component);
    if (!comp) return control_error(res, 404, "no component " + *component + " in the configuration");
    {
      std::lock_guard lk(sb.mutex());
      if (!sb.state<ComponentState>().grants.erase({*component, *authorizer}))
        return control_error(res, 409, *authorizer + " has not authorized " + *component);
    }
    sb.invalidate_tokens("authorizer", *authorizer);
    auto [status, reply] = sb.push("/wechat/component/" + *component, comp->token, comp->encoding_aes_key, *component,
                                   notice_xml(*component, "unauthorized", *authorizer, ""));
    Sandbox::reply(res, {{"gateway_status", status}});
  });
}

}  // namespace xiaoqu::sandbox
