#pragma once
// Internal: tolerant readers for optional reply fields of the WeCom APIs. Required fields go
// through wechat::field(), which names the field in a PlatformError(bad_response).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace xiaoqu::wecom::api::detail {

/// A required array field, or PlatformError(bad_response) naming it.
const nlohmann::json& array_field(const nlohmann::json& j, const char* name, const std::string& api);
/// A string field; numbers are turned into text (WeCom mixes "1" and 1 for the same field).
std::optional<std::string> opt_string(const nlohmann::json& j, const char* name);
std::string string_or_empty(const nlohmann::json& j, const char* name);
/// An integer field sent as a number or as digits in a string.
std::optional<std::int64_t> opt_int(const nlohmann::json& j, const char* name);
std::vector<std::int64_t> int_list(const nlohmann::json& j, const char* name);
std::vector<std::string> string_list(const nlohmann::json& j, const char* name);

/// "a|b|c" lists of message/send.
std::string join(const std::vector<std::string>& items, char sep);
std::vector<std::string> split(std::string_view text, char sep);

}  // namespace xiaoqu::wecom::api::detail
