#pragma once
// WeCom app messages (message/send): text and text cards to members, departments or tags of
// the corp whose credential is passed, as the app `agent_id`.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wecom::api {

struct Recipients {
  std::vector<std::string> users;        ///< userids; {"@all"} for everyone in the app's scope
  std::vector<std::int64_t> parties;     ///< department ids
  std::vector<std::int64_t> tags;
};

struct TextMessage {
  std::string content;  ///< at most 2048 bytes
};

struct TextCardMessage {
  std::string title;        ///< at most 128 bytes
  std::string description;  ///< at most 512 bytes
  std::string url;
  std::string button_text;  ///< btntxt; "详情" when empty, cut to 4 characters by the platform
};

struct AppMessage {
  Recipients to;
  std::int64_t agent_id = 0;
  std::variant<TextMessage, TextCardMessage> body;
  bool safe = false;  ///< confidential: no forwarding, watermark
};

/// Recipients the platform could not deliver to; the message went to the others.
struct SendResult {
  std::vector<std::string> invalid_users, invalid_parties, invalid_tags, unlicensed_users;
  std::string msgid;
};

/// message/send. Throws std::invalid_argument (no recipient, empty text, over-long
/// fields) before sending, PlatformError 81013 when every recipient is invalid.
/// https://developer.work.weixin.qq.com/document/path/90236
SendResult send_message(wechat::ApiClient& api, const wechat::CredentialKey& corp, const AppMessage& message);

}  // namespace xiaoqu::wecom::api
