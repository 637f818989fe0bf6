#pragma once
// Reading the optional parts of a reply without trusting their types: a field of the wrong
// type is a PlatformError(bad_response) naming it, never a silent default.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "wechat/api_client.hpp"

namespace xiaoqu::wechat::api {

/// The field when present and not null, else `fallback`; a wrong type throws bad_response.
template <class T>
T optional_field(const nlohmann::json& j, const char* name, const std::string& api, T fallback = T{}) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return fallback;
  return field<T>(j, name, api);
}

/// A required member that must be a JSON object.
inline const nlohmann::json& object_field(const nlohmann::json& j, const char* name, const std::string& api) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object())
    throw PlatformError(api, PlatformError::Kind::bad_response, 0, std::string("reply lacks the object ") + name);
  return *it;
}

/// A member that must be an array when present; absent or null reads as empty.
inline const nlohmann::json& array_field(const nlohmann::json& j, const char* name, const std::string& api) {
  static const nlohmann::json empty = nlohmann::json::array();
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return empty;
  if (!it->is_array())
    throw PlatformError(api, PlatformError::Kind::bad_response, 0, std::string("reply field ") + name + " is not an array");
  return *it;
}

/// The ids of a func_info list: [{"funcscope_category":{"id":1}}, ...].
inline std::vector<std::int64_t> func_scope_ids(const nlohmann::json& holder, const std::string& api) {
  std::vector<std::int64_t> ids;
  for (const auto& f : array_field(holder, "func_info", api)) {
    if (!f.is_object()) throw PlatformError(api, PlatformError::Kind::bad_response, 0, "func_info entry is not an object");
    ids.push_back(field<std::int64_t>(object_field(f, "funcscope_category", api), "id", api));
  }
  return ids;
}

}  // namespace xiaoqu::wechat::api
