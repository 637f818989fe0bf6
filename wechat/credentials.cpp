#include "wechat/credentials.hpp"

#include <ctime>

namespace xiaoqu::wechat {
namespace {
std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

Token token_from(const nlohmann::json& reply, const char* value_name, const std::string& api) {
  auto value = field<std::string>(reply, value_name, api);
  if (value.empty()) throw PlatformError(api, PlatformError::Kind::bad_response, 0, std::string("reply has an empty ") + value_name);
  return make_token(std::move(value), field<std::int64_t>(reply, "expires_in", api), now());
}
}  // namespace

CredentialKey official_account_key(const std::string& appid) { return {CredentialKind::official_account, appid}; }
CredentialKey component_key(const std::string& component_appid) { return {CredentialKind::component, component_appid}; }
CredentialKey authorizer_key(const std::string& component_appid, const std::string& authorizer_appid) {
  return {CredentialKind::authorizer, component_appid + "/" + authorizer_appid};
}

CredentialKey define_official_account(TokenProvider& tokens, ApiClient& api, const std::string& appid, const std::string& app_secret) {
  CredentialKey key = official_account_key(appid);
  tokens.define(key, [&api, appid, app_secret](bool after_rejection) {
    ApiRequest req;
    req.method = "POST";
    req.path = "/cgi-bin/stable_token";
    // Normal mode returns the live token unchanged, so only a refused token forces a new one.
    req.body = nlohmann::json{{"grant_type", "client_credential"}, {"appid", appid}, {"secret", app_secret}, {"force_refresh", after_rejection}};
    return token_from(api.call(req), "access_token", req.path);
  });
  return key;
}

CredentialKey define_component(TokenProvider& tokens, ApiClient& api, const std::string& component_appid, const std::string& app_secret,
                               std::function<std::optional<std::string>()> verify_ticket) {
  CredentialKey key = component_key(component_appid);
  tokens.define(key, [&api, component_appid, app_secret, verify_ticket = std::move(verify_ticket)](bool) {
    ApiRequest req;
    req.method = "POST";
    req.path = "/cgi-bin/component/api_component_token";
    auto ticket = verify_ticket ? verify_ticket() : std::nullopt;
    if (!ticket || ticket->empty())
      throw PlatformError(req.path, PlatformError::Kind::credential, 0,
                          "no component_verify_ticket received yet for component " + component_appid +
                              " (the platform pushes one every 10 minutes to the authorization-event URL)");
    req.body = nlohmann::json{{"component_appid", component_appid}, {"component_appsecret", app_secret}, {"component_verify_ticket", *ticket}};
    return token_from(api.call(req), "component_access_token", req.path);
  });
  return key;
}

CredentialKey define_authorizer(TokenProvider& tokens, ApiClient& api, const std::string& component_appid, const std::string& authorizer_appid,
                                RefreshTokenStore& refresh_tokens) {
  CredentialKey key = authorizer_key(component_appid, authorizer_appid);
  tokens.define(key, [&api, &refresh_tokens, component_appid, authorizer_appid](bool) {
    ApiRequest req;
    req.method = "POST";
    req.path = "/cgi-bin/component/api_authorizer_token";
    req.token_param = "component_access_token";
    req.retry_transient = false;  // a lost reply may have rotated the refresh token already
    auto refresh = refresh_tokens.load ? refresh_tokens.load(component_appid, authorizer_appid) : std::nullopt;
    if (!refresh || refresh->empty())
      throw PlatformError(req.path, PlatformError::Kind::credential, 0,
                          "no authorizer_refresh_token stored for " + authorizer_appid + ": the account must authorize component " +
                              component_appid + " again");
    req.body = nlohmann::json{{"component_appid", component_appid}, {"authorizer_appid", authorizer_appid}, {"authorizer_refresh_token", *refresh}};
    nlohmann::json reply = api.call(req, component_key(component_appid));
    Token token = token_from(reply, "authorizer_access_token", req.path);
    // Saved first: the platform may have voided the old refresh token already.
    if (auto it = reply.find("authorizer_refresh_token"); it != reply.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      if (!refresh_tokens.save)
        throw PlatformError(req.path, PlatformError::Kind::credential, 0, "the refresh-token store cannot save");
      refresh_tokens.save(component_appid, authorizer_appid, it->get<std::string>());
    }
    return token;
  });
  return key;
}

}  // namespace xiaoqu::wechat
