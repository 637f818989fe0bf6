#pragma once
// Every failed platform call surfaces as one typed error carrying the endpoint, errcode and
// errmsg (wechatpy exceptions.py; cpp-httplib's Result split between transport and status).
#include <stdexcept>
#include <string>

namespace xiaoqu::wechat {

class PlatformError : public std::runtime_error {
 public:
  enum class Kind {
    transport,     ///< no response: connect failure, timeout, TLS
    http_status,   ///< a response with a non-2xx status
    platform,      ///< errcode != 0 in the body
    bad_response,  ///< 2xx but not the expected JSON shape
    credential,    ///< a credential input is missing (no ticket yet, no refresh token, ...)
  };

  PlatformError(std::string api, Kind kind, long long errcode, std::string errmsg, int http_status = 0);

  const std::string& api() const noexcept { return api_; }
  Kind kind() const noexcept { return kind_; }
  long long errcode() const noexcept { return errcode_; }
  const std::string& errmsg() const noexcept { return errmsg_; }
  int http_status() const noexcept { return http_status_; }

  /// Worth another attempt after a pause: transport errors, 5xx, -1 (busy), 45009/45011 (rate).
  bool transient() const noexcept;
  /// The access token was refused: drop it, refresh once, retry once.
  bool token_rejected() const noexcept;

 private:
  std::string api_;
  Kind kind_;
  long long errcode_;
  std::string errmsg_;
  int http_status_;
};

const char* label(PlatformError::Kind k) noexcept;

}  // namespace xiaoqu::wechat
