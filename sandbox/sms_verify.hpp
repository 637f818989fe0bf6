#pragma once
// The sandbox's side of TC3-HMAC-SHA256: recomputes the signature of a received request
// from its own headers and body with the configured SMS secret, as Tencent Cloud does
// (docs/protocol/sms-tc3.md).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace xiaoqu::sandbox {

/// A Tencent Cloud API 3.0 error: Response.Error.Code and Message.
struct ApiError {
  std::string code, message;
};

/// A received header by (case-insensitive) name; nothing when absent.
using HeaderLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Nothing when the request is signed by sms.secret_id/secret_key within 300 s of `now`;
/// otherwise AuthFailure.InvalidAuthorization, SecretIdNotFound, SignatureExpire or
/// SignatureFailure, or MissingParameter for an absent X-TC-Timestamp.
/// https://cloud.tencent.com/document/api/382/52072
std::optional<ApiError> verify_tc3(const HeaderLookup& header, std::string_view body, const config::SmsConfig& sms, std::int64_t now);

}  // namespace xiaoqu::sandbox
