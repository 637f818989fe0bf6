#pragma once
// A SendSms call that failed as a whole: no response, a non-2xx status, an unreadable
// reply, or Response.Error (docs/protocol/sms-tc3.md). Its own type rather than
// wechat::PlatformError because Tencent Cloud codes are strings, and PlatformError's
// non-virtual transient() would call every such error permanent.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "notify/sms_types.hpp"

namespace xiaoqu::notify {

inline constexpr const char* kSendSmsApi = "sms/SendSms";

class SmsError : public std::runtime_error {
 public:
  enum class Kind {
    transport,        ///< no response: connect failure, timeout, TLS
    http_status,      ///< a response with a non-2xx status
    bad_response,     ///< 2xx but not the SendSms reply shape
    api,              ///< Response.Error: code() is the Tencent Cloud error code
    invalid_request,  ///< refused before sending (no template id, oversized session context)
  };

  SmsError(Kind kind, std::string code, std::string message, std::string request_id = {}, int http_status = 0);

  const char* api() const noexcept { return kSendSmsApi; }
  Kind kind() const noexcept { return kind_; }
  /// "AuthFailure.SignatureFailure", "InternalError.Timeout", ...; empty unless kind() is api.
  const std::string& code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& request_id() const noexcept { return request_id_; }
  int http_status() const noexcept { return http_status_; }

  /// Worth another attempt after a pause (docs/protocol/sms-tc3.md): transport errors, 5xx/429,
  /// InternalError.*, RequestLimitExceeded*, and AuthFailure.SignatureExpire until the
  /// client has spent its one re-signed retry on it.
  bool transient() const noexcept;
  /// The platform saw more than five minutes between X-TC-Timestamp and its clock.
  bool clock_skew() const noexcept { return kind_ == Kind::api && code_ == "AuthFailure.SignatureExpire"; }

  /// Numbers accepted by earlier calls of the same send before this one failed; the rest
  /// of the message's numbers were not sent.
  const std::vector<SendStatus>& sent() const noexcept { return *sent_; }

  /// The same error after the client's one re-signed retry: no longer transient.
  SmsError after_resign() const;
  /// The same error carrying what earlier calls of the send had accepted.
  SmsError with_sent(std::vector<SendStatus> sent) const;

 private:
  Kind kind_;
  std::string code_, message_, request_id_;
  int http_status_;
  bool resigned_ = false;
  std::shared_ptr<const std::vector<SendStatus>> sent_;  ///< shared: exceptions copy cheaply
};

const char* label(SmsError::Kind k) noexcept;

}  // namespace xiaoqu::notify
