#include "notify/sms_error.hpp"

namespace xiaoqu::notify {
namespace {
std::string describe(SmsError::Kind kind, const std::string& code, const std::string& message, int status) {
  std::string s = std::string(kSendSmsApi) + ": " + label(kind);
  if (!code.empty()) s += " " + code;
  if (status) s += " (HTTP " + std::to_string(status) + ")";
  if (!message.empty()) s += ": " + message;
  return s;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
}  // namespace

SmsError::SmsError(Kind kind, std::string code, std::string message, std::string request_id, int http_status)
    : std::runtime_error(describe(kind, code, message, http_status)), kind_(kind), code_(std::move(code)),
      message_(std::move(message)), request_id_(std::move(request_id)), http_status_(http_status),
      sent_(std::make_shared<const std::vector<SendStatus>>()) {}

bool SmsError::transient() const noexcept {
  switch (kind_) {
    case Kind::transport: return true;
    case Kind::http_status: return http_status_ >= 500 || http_status_ == 429;
    case Kind::api:
      if (clock_skew()) return !resigned_;
      return starts_with(code_, "InternalError") || starts_with(code_, "RequestLimitExceeded");
    default: return false;
  }
}

SmsError SmsError::after_resign() const {
  SmsError e = *this;
  e.resigned_ = true;
  return e;
}

SmsError SmsError::with_sent(std::vector<SendStatus> sent) const {
  SmsError e = *this;
  e.sent_ = std::make_shared<const std::vector<SendStatus>>(std::move(sent));
  return e;
}

const char* label(SmsError::Kind k) noexcept {
  switch (k) {
    case SmsError::Kind::transport: return "transport error";
    case SmsError::Kind::http_status: return "HTTP error";
    case SmsError::Kind::bad_response: return "unexpected response";
    case SmsError::Kind::api: return "platform error";
    case SmsError::Kind::invalid_request: return "invalid request";
  }
  return "error";
}

}  // namespace xiaoqu::notify
