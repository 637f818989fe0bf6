#include "notify/outbox.hpp"

#include <stdexcept>

#include "notify/phone_number.hpp"

namespace xiaoqu::notify {
namespace {
void require(bool ok, const char* field, const char* problem) {
  if (!ok) throw std::invalid_argument(std::string("outbox item ") + field + ": " + problem);
}

// The payload as the dispatcher reads it back (notify/dispatcher.cpp).
nlohmann::json template_payload(const TemplateMessage& m) {
  require(!m.appid.empty(), "template_message.appid", "is empty");
  require(!m.openid.empty(), "template_message.openid", "is empty");
  require(!m.template_id.empty(), "template_message.template_id", "is empty");
  require(m.data.is_object(), "template_message.data", "must be an object of {\"value\": \"...\"} entries");
  for (const auto& [name, entry] : m.data.items())
    require(entry.is_object() && entry.contains("value") && entry["value"].is_string(), "template_message.data",
            "every entry must be {\"value\": \"text\"}");
  return {{"openid", m.openid}, {"template_id", m.template_id}, {"url", m.url}, {"data", m.data}};
}

nlohmann::json sms_payload(const SmsMessage& m) {
  auto phone = normalize_phone(m.phone);
  require(phone.has_value(), "sms.phone", "is not a mainland mobile number");
  require(!m.template_id.empty(), "sms.template_id", "is empty");
  return {{"phone", *phone}, {"template_id", m.template_id}, {"params", m.params}};
}
}  // namespace

std::optional<std::int64_t> enqueue(store::Connection& c, const OutboxItem& item, std::int64_t now) {
  require(!item.idempotency_key.empty(), "idempotency_key", "is empty");
  require(item.idempotency_key.size() <= 128, "idempotency_key", "is longer than 128 bytes");
  require(!item.purpose.empty(), "purpose", "is empty");
  require(item.template_message.has_value() != item.sms.has_value(), "template_message/sms", "exactly one must be set");
  std::string channel, account;
  nlohmann::json payload;
  if (item.template_message) {
    channel = "template";
    account = item.template_message->appid;
    payload = template_payload(*item.template_message);
  } else {
    channel = "sms";
    account = "sms";
    payload = sms_payload(*item.sms);
  }
  auto& s = c.cached(
      "INSERT INTO outbox (idempotency_key, purpose, community_id, channel, account, payload, status, next_attempt_at, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?7) ON CONFLICT (idempotency_key) DO NOTHING");
  s.bind(1, item.idempotency_key).bind(2, item.purpose).bind(3, item.community_id).bind(4, channel).bind(5, account);
  s.bind(6, payload.dump()).bind(7, now);
  s.run();
  if (c.changes() == 0) return std::nullopt;
  return c.last_insert_id();
}

}  // namespace xiaoqu::notify
