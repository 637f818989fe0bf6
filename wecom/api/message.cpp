#include "wecom/api/message.hpp"

#include <stdexcept>

#include "wecom/api/reply_fields.hpp"

namespace xiaoqu::wecom::api {
namespace {
[[noreturn]] void bad(const std::string& field, const std::string& problem) {
  throw std::invalid_argument(field + ": " + problem);
}

void check_bytes(const std::string& value, const char* field, std::size_t max, bool required) {
  if (required && value.empty()) bad(field, "must not be empty");
  if (value.size() > max) bad(field, "must be at most " + std::to_string(max) + " bytes");
}

std::vector<std::string> texts(const std::vector<std::int64_t>& ids) {
  std::vector<std::string> out;
  for (auto id : ids) out.push_back(std::to_string(id));
  return out;
}

nlohmann::json body_of(const AppMessage& m) {
  const auto& to = m.to;
  if (to.users.empty() && to.parties.empty() && to.tags.empty()) bad("touser", "name at least one user, department or tag");
  if (to.users.size() > 1000) bad("touser", "at most 1000 users");
  if (to.parties.size() > 100) bad("toparty", "at most 100 departments");
  if (to.tags.size() > 100) bad("totag", "at most 100 tags");
  if (m.agent_id <= 0) bad("agentid", "must be the app's agent id");
  nlohmann::json j = {{"agentid", m.agent_id}, {"safe", m.safe ? 1 : 0}};
  if (!to.users.empty()) j["touser"] = detail::join(to.users, '|');
  if (!to.parties.empty()) j["toparty"] = detail::join(texts(to.parties), '|');
  if (!to.tags.empty()) j["totag"] = detail::join(texts(to.tags), '|');
  if (const auto* text = std::get_if<TextMessage>(&m.body)) {
    check_bytes(text->content, "text.content", 2048, true);
    j["msgtype"] = "text";
    j["text"] = {{"content", text->content}};
  } else {
    const auto& card = std::get<TextCardMessage>(m.body);
    check_bytes(card.title, "textcard.title", 128, true);
    check_bytes(card.description, "textcard.description", 512, true);
    check_bytes(card.url, "textcard.url", 2048, true);
    j["msgtype"] = "textcard";
    j["textcard"] = {{"title", card.title}, {"description", card.description}, {"url", card.url}};
    if (!card.button_text.empty()) j["textcard"]["btntxt"] = card.button_text;
  }
  return j;
}
}  // namespace

SendResult send_message(wechat::ApiClient& api, const wechat::CredentialKey& corp, const AppMessage& message) {
  wechat::ApiRequest req;
  req.path = "/cgi-bin/message/send";
  req.retry_transient = false;  // no idempotency key: a retry after a lost reply sends twice
  req.body = body_of(message);
  auto reply = api.call(req, corp);
  SendResult r;
  r.invalid_users = detail::split(detail::string_or_empty(reply, "invaliduser"), '|');
  r.invalid_parties = detail::split(detail::string_or_empty(reply, "invalidparty"), '|');
  r.invalid_tags = detail::split(detail::string_or_empty(reply, "invalidtag"), '|');
  r.unlicensed_users = detail::split(detail::string_or_empty(reply, "unlicenseduser"), '|');
  r.msgid = detail::string_or_empty(reply, "msgid");
  return r;
}

}  // namespace xiaoqu::wecom::api
