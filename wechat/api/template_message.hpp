#pragma once
// Template messages of an Official Account (docs/protocol/template-messages.md): the reminders sent to followers.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "wechat/api_client.hpp"

namespace xiaoqu::wechat::api {

/// The mini program a message opens; wins over `url` on clients that can open it.
struct MiniProgramLink {
  std::string appid, pagepath;
};

struct TemplateMessage {
  std::string touser;       ///< the recipient's openid; they must follow the account (43004)
  std::string template_id;  ///< one of the account's templates (40037)
  std::string url;          ///< optional
  std::optional<MiniProgramLink> miniprogram;
  std::string client_msg_id;  ///< de-duplication key for 10 minutes: the outbox idempotency key
  std::map<std::string, std::string> data;  ///< placeholder name ("thing1") → value
};

/// Sends one template message; returns its msgid, the key of the later TEMPLATESENDJOBFINISH.
/// https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.html
std::int64_t send_template_message(ApiClient& api, const CredentialKey& account, const TemplateMessage& message);

}  // namespace xiaoqu::wechat::api
