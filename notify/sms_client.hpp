#pragma once
// Tencent Cloud SMS SendSms 2021-01-11 over the one outbound transport: normalises and
// de-duplicates numbers, splits them into calls of at most 200, signs each body once
// serialised (TC3-HMAC-SHA256) and maps replies to typed per-number results
// (docs/protocol/sms-tc3.md). Blocking: call it from a worker thread.
#include <cstdint>
#include <functional>
#include <string>

#include "config/config.hpp"
#include "notify/send_sms.hpp"
#include "notify/sms_error.hpp"
#include "notify/sms_types.hpp"
#include "wechat/http_transport.hpp"

namespace xiaoqu::notify {

class SmsClient {
 public:
  /// Unix seconds for X-TC-Timestamp; tests inject a skewed or fixed one.
  using Clock = std::function<std::int64_t()>;

  /// `base_url` is platforms.sms_api. Throws config::ConfigError naming the missing
  /// sms.secret_id, sms.secret_key, sms.sdk_app_id or sms.region.
  SmsClient(wechat::HttpTransport& transport, config::SmsConfig sms, std::string base_url, const config::HttpConfig& http,
            Clock clock = {});

  /// Sends `msg` to every number. Numbers that are not mainland mobiles come back as
  /// InvalidParameterValue.IncorrectPhoneNumber without being sent. Throws SmsError when a
  /// call fails as a whole (after the retries docs/protocol/sms-tc3.md allows); its sent() lists what
  /// earlier calls had accepted. https://cloud.tencent.com/document/api/382/55981
  SmsResult send(const SmsMessage& msg);

 private:
  SendSmsReply call(const std::string& body);

  wechat::HttpTransport& transport_;
  config::SmsConfig sms_;
  std::string base_url_;
  unsigned max_attempts_, backoff_initial_ms_, backoff_max_ms_;
  Clock clock_;
};

}  // namespace xiaoqu::notify
