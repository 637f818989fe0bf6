#pragma once
// Mainland China mobile numbers in the forms residents and records use, normalised to the
// E.164 form SendSms expects (docs/protocol/sms-tc3.md).
#include <optional>
#include <string>
#include <string_view>

namespace xiaoqu::notify {

/// "+8613800138000" from "13800138000", "+8613800138000", "008613800138000" or
/// "8613800138000" (spaces and '-' between digits allowed, full-width digits, '＋', '－' and
/// the ideographic space too); nothing when it is not an
/// 11-digit mainland mobile number (1, then 3–9, then 9 digits).
/// https://cloud.tencent.com/document/api/382/55981
std::optional<std::string> normalize_phone(std::string_view text);

}  // namespace xiaoqu::notify
