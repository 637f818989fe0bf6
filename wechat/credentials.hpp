#pragma once
// How each Official Account and Open Platform credential is fetched (docs/protocol/tokens.md): one
// fetcher per key on the one TokenProvider, each calling its token endpoint through ApiClient.
#include <functional>
#include <optional>
#include <string>

#include "wechat/api_client.hpp"
#include "wechat/token_provider.hpp"

namespace xiaoqu::wechat {

/// Where authorizer refresh tokens are kept. The platform hands one out only at authorization
/// time and may replace it on every refresh, so losing it means re-authorization (docs/protocol/tokens.md).
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/api_authorizer_token.html
struct RefreshTokenStore {
  std::function<std::optional<std::string>(const std::string& component, const std::string& authorizer)> load;
  std::function<void(const std::string& component, const std::string& authorizer, const std::string& refresh_token)> save;
};

/// The key of an Official Account's own token (id = appid).
CredentialKey official_account_key(const std::string& appid);
/// The key of a component_access_token (id = component appid).
CredentialKey component_key(const std::string& component_appid);
/// The key of an authorizer_access_token (id = component appid + "/" + authorizer appid).
CredentialKey authorizer_key(const std::string& component_appid, const std::string& authorizer_appid);

/// Defines the account's token as fetched from POST /cgi-bin/stable_token; a refused token is
/// replaced with force_refresh. `api` must outlive `tokens`.
/// https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
CredentialKey define_official_account(TokenProvider& tokens, ApiClient& api, const std::string& appid,
                                      const std::string& app_secret);

/// Defines the component_access_token, fetched with the newest component_verify_ticket that
/// `verify_ticket` returns; none yet is a PlatformError(credential).
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_access_token.html
CredentialKey define_component(TokenProvider& tokens, ApiClient& api, const std::string& component_appid,
                               const std::string& app_secret, std::function<std::optional<std::string>()> verify_ticket);

/// Defines an authorizer's token, refreshed with the stored refresh token through
/// api_authorizer_token; the returned refresh token is saved before the access token is used.
/// 61023 (refresh token invalid: re-authorization needed) propagates, never retried.
/// `api` and `refresh_tokens` must outlive `tokens`.
/// https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/api_authorizer_token.html
CredentialKey define_authorizer(TokenProvider& tokens, ApiClient& api, const std::string& component_appid,
                                const std::string& authorizer_appid, RefreshTokenStore& refresh_tokens);

}  // namespace xiaoqu::wechat
