#pragma once
// The wire format of SendSms 2021-01-11: the JSON body, the signed request and the reply
// (docs/protocol/sms-tc3.md). Pure functions: no socket, no clock.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "notify/sms_error.hpp"
#include "notify/sms_types.hpp"
#include "wechat/http_transport.hpp"

namespace xiaoqu::notify {

inline constexpr std::size_t kMaxNumbersPerCall = 200;
inline constexpr std::string_view kSmsContentType = "application/json; charset=utf-8";
inline constexpr std::string_view kSmsAction = "SendSms";
inline constexpr std::string_view kSmsVersion = "2021-01-11";

/// The body fields of one call: at most 200 numbers, already E.164.
/// https://cloud.tencent.com/document/api/382/55981
struct SendSmsCall {
  std::vector<std::string> phone_numbers;
  std::string sdk_app_id, sign_name, template_id;
  std::vector<std::string> template_params;
  std::string session_context;
};

/// Compact JSON with raw UTF-8 in the documented field order; SignName, TemplateParamSet
/// and SessionContext only when set.
std::string send_sms_body(const SendSmsCall& call);

/// "host[:port]" of a base URL as the Host header carries it (default ports dropped).
std::string host_of(std::string_view base_url);

/// The request for exactly these body bytes, signed at `timestamp` with content-type, host
/// and x-tc-action. https://cloud.tencent.com/document/api/382/52072
wechat::HttpRequest signed_send_sms(const config::SmsConfig& sms, const std::string& base_url, std::string body,
                                    std::int64_t timestamp);

struct SendSmsReply {
  std::string request_id;
  std::vector<SendStatus> statuses;  ///< SendStatusSet, one per number
};

/// Maps a response: HTTP status, then the JSON shape, then Response.Error; throws SmsError.
/// https://cloud.tencent.com/document/api/382/55981
SendSmsReply read_send_sms_reply(const wechat::HttpResponse& res);

}  // namespace xiaoqu::notify
