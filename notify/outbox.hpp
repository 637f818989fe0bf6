#pragma once
// The outbox: everything that must reach a person (template message, SMS) is written here
// in the same transaction as the decision that caused it, then sent by the Dispatcher
// (notify/dispatcher.hpp) with retries, backoff and an idempotency key. A crash loses nothing.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::notify {

// The payload types live in their own namespace because notify/sms_types.hpp (the SMS
// client) has a different notify::SmsMessage: two classes of one mangled name would let the
// linker merge their inline members (an ODR violation). Including both headers in one file
// is a compile error; the dispatcher, which needs the client, reads payloads as JSON instead.
namespace outbox {

/// A template message to one follower of an Official Account (message/template/send).
struct TemplateMessage {
  std::string appid;        ///< the Official Account that sends it
  std::string openid;
  std::string template_id;
  std::string url;          ///< opened when the message is tapped; may be empty
  nlohmann::json data;      ///< {"first": {"value": "..."}, "keyword1": {...}, ...}
};

/// An SMS through Tencent Cloud (SendSms) to one mainland mobile number.
struct SmsMessage {
  std::string phone;                   ///< normalized 11 digits or +86...
  std::string template_id;
  std::vector<std::string> params;     ///< the template's {1}, {2}, ...
};

}  // namespace outbox

using outbox::SmsMessage;
using outbox::TemplateMessage;

struct OutboxItem {
  std::string idempotency_key;  ///< unique; a second enqueue with the same key is a no-op
  std::string purpose;          ///< "review_reminder", "verification_result", "otp", ...
  std::int64_t community_id = 0;
  std::optional<TemplateMessage> template_message;  ///< exactly one of the two
  std::optional<SmsMessage> sms;
};

/// Writes the item in the caller's transaction (run it inside a Database job).
/// Returns the row id, or nullopt when an item with that key already exists.
/// Throws std::invalid_argument naming the field when the item is incomplete (no key, not
/// exactly one message, no recipient or template, a phone that is not a mainland mobile).
std::optional<std::int64_t> enqueue(store::Connection& c, const OutboxItem& item, std::int64_t now);

}  // namespace xiaoqu::notify
