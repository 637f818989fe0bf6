#include "wechat/api/template_message.hpp"

#include "wechat/api/reply_fields.hpp"

namespace xiaoqu::wechat::api {

std::int64_t send_template_message(ApiClient& api, const CredentialKey& account, const TemplateMessage& m) {
  nlohmann::json data = nlohmann::json::object();
  for (const auto& [name, value] : m.data) data[name] = {{"value", value}};
  nlohmann::json body = {{"touser", m.touser}, {"template_id", m.template_id}, {"data", std::move(data)}};
  if (!m.url.empty()) body["url"] = m.url;
  if (m.miniprogram) body["miniprogram"] = {{"appid", m.miniprogram->appid}, {"pagepath", m.miniprogram->pagepath}};
  if (!m.client_msg_id.empty()) body["client_msg_id"] = m.client_msg_id;
  ApiRequest req;
  req.method = "POST";
  req.path = "/cgi-bin/message/template/send";
  req.body = std::move(body);
  return field<std::int64_t>(api.call(req, account), "msgid", req.path);
}

}  // namespace xiaoqu::wechat::api
