#pragma once
// Open Platform (third-party component) notices pushed to the authorization-event URL
// (docs/protocol/open-platform-component.md).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace xiaoqu::wechat {

struct ComponentVerifyTicket { std::string component_appid, ticket; std::int64_t create_time = 0; };
/// InfoType authorized or updateauthorized.
struct AuthorizationGranted {
  bool update = false;  ///< true for updateauthorized
  std::string component_appid, authorizer_appid, authorization_code, pre_auth_code;
  std::int64_t create_time = 0, code_expires_at = 0;
};
struct AuthorizationRevoked { std::string component_appid, authorizer_appid; std::int64_t create_time = 0; };
struct UnknownNotice { std::string component_appid, info_type; std::int64_t create_time = 0; };

using ComponentNotice = std::variant<ComponentVerifyTicket, AuthorizationGranted, AuthorizationRevoked, UnknownNotice>;

/// Throws XmlError (wechat/message.hpp).
ComponentNotice parse_component_notice(std::string_view xml);

std::string_view kind_label(const ComponentNotice& n) noexcept;
/// "n:<InfoType>:<AppId>:<AuthorizerAppid>:<CreateTime>"
std::string dedup_key(const ComponentNotice& n);

}  // namespace xiaoqu::wechat
