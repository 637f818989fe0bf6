#include "wechat/component_notice.hpp"

#include <type_traits>

#include "wechat/xml_fields.hpp"

namespace xiaoqu::wechat {

using detail::iequals;

ComponentNotice parse_component_notice(std::string_view xml) {
  const detail::XmlFields f(xml);
  const std::string_view info_type = f.token("InfoType");
  if (iequals(info_type, "component_verify_ticket")) {
    return ComponentVerifyTicket{f.id("AppId"), f.id("ComponentVerifyTicket"), f.i64("CreateTime")};
  }
  const bool update = iequals(info_type, "updateauthorized");
  if (update || iequals(info_type, "authorized")) {
    return AuthorizationGranted{update,
                                f.id("AppId"),
                                f.id("AuthorizerAppid"),
                                f.id("AuthorizationCode"),
                                f.id("PreAuthCode"),
                                f.i64("CreateTime"),
                                f.i64("AuthorizationCodeExpiredTime")};
  }
  if (iequals(info_type, "unauthorized")) {
    return AuthorizationRevoked{f.id("AppId"), f.id("AuthorizerAppid"), f.i64("CreateTime")};
  }
  return UnknownNotice{f.id("AppId"), std::string(info_type), f.i64("CreateTime")};
}

std::string_view kind_label(const ComponentNotice& n) noexcept {
  if (const auto* g = std::get_if<AuthorizationGranted>(&n)) {
    return g->update ? "component.updateauthorized" : "component.authorized";
  }
  static constexpr std::string_view labels[] = {"component.verify_ticket", "", "component.unauthorized",
                                                "component.unknown"};
  static_assert(std::size(labels) == std::variant_size_v<ComponentNotice>);
  return labels[n.index()];
}

std::string dedup_key(const ComponentNotice& n) {
  const auto key = [](std::string_view info_type, std::string_view appid, std::string_view authorizer,
                      std::int64_t create_time) {
    std::string k = "n:";
    k += info_type;
    k += ':';
    k += appid;
    k += ':';
    k += authorizer;
    k += ':';
    k += std::to_string(create_time);
    return k;
  };
  return std::visit(
      [&key](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ComponentVerifyTicket>) {
          return key("component_verify_ticket", v.component_appid, "", v.create_time);
        } else if constexpr (std::is_same_v<T, AuthorizationGranted>) {
          return key(v.update ? "updateauthorized" : "authorized", v.component_appid, v.authorizer_appid,
                     v.create_time);
        } else if constexpr (std::is_same_v<T, AuthorizationRevoked>) {
          return key("unauthorized", v.component_appid, v.authorizer_appid, v.create_time);
        } else {
          return key(v.info_type, v.component_appid, "", v.create_time);
        }
      },
      n);
}

}  // namespace xiaoqu::wechat
