#pragma once
// The typed request and per-number results of Tencent Cloud SMS SendSms 2021-01-11
// (docs/protocol/sms-tc3.md).
#include <cstdint>
#include <string>
#include <vector>

namespace xiaoqu::notify {

/// One templated message to any number of phones. https://cloud.tencent.com/document/api/382/55981
struct SmsMessage {
  std::vector<std::string> phone_numbers;  ///< any form normalize_phone() accepts
  std::string template_id;                 ///< an approved template
  std::vector<std::string> template_params;  ///< one string per {n} placeholder, in order
  std::string session_context;             ///< the caller's outbox id, echoed back (< 512 bytes)
};

/// The outcome for one number: an entry of SendStatusSet, or a local rejection.
/// https://cloud.tencent.com/document/api/382/55981
struct SendStatus {
  std::string requested;     ///< the number as the caller wrote it
  std::string phone_number;  ///< E.164 as sent; empty when rejected locally
  std::string serial_no;
  std::string code;          ///< "Ok", or a per-number failure such as LimitExceeded.PhoneNumberDailyLimit
  std::string message;
  std::string session_context;
  std::string iso_code;
  std::int64_t fee = 0;      ///< billed segments

  bool ok() const noexcept { return code == "Ok"; }
  /// A per-number frequency limit: worth sending again later, not now.
  bool throttled() const noexcept { return code.rfind("LimitExceeded.PhoneNumber", 0) == 0 && code != "LimitExceeded.PhoneNumberCountLimit"; }
};

/// Every number's outcome of one send, in the caller's order (duplicates collapsed).
struct SmsResult {
  std::vector<SendStatus> statuses;
  std::vector<std::string> request_ids;  ///< one per SendSms call made
  std::size_t calls = 0;

  bool all_ok() const noexcept;
  std::vector<SendStatus> failures() const;
  /// The status of `phone` in any accepted form; nullptr when it was not part of the send.
  const SendStatus* find(const std::string& phone) const;
};

}  // namespace xiaoqu::notify
