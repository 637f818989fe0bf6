#include "wecom/api/reply_fields.hpp"

#include "wechat/platform_error.hpp"

namespace xiaoqu::wecom::api::detail {

const nlohmann::json& array_field(const nlohmann::json& j, const char* name, const std::string& api) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_array())
    throw wechat::PlatformError(api, wechat::PlatformError::Kind::bad_response, 0, std::string("reply lacks the array ") + name);
  return *it;
}

std::optional<std::string> opt_string(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return std::nullopt;
}

std::string string_or_empty(const nlohmann::json& j, const char* name) { return opt_string(j, name).value_or(""); }

std::optional<std::int64_t> opt_int(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    try {
      std::size_t used = 0;
      std::int64_t v = std::stoll(s, &used);
      if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

std::vector<std::int64_t> int_list(const nlohmann::json& j, const char* name) {
  std::vector<std::int64_t> out;
  auto it = j.find(name);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_number_integer()) out.push_back(v.get<std::int64_t>());
  return out;
}

std::vector<std::string> string_list(const nlohmann::json& j, const char* name) {
  std::vector<std::string> out;
  auto it = j.find(name);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out.push_back(sep);
    out += i;
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto pos = text.find(sep);
    std::string_view part = text.substr(0, pos);
    if (!part.empty()) out.emplace_back(part);
    if (pos == std::string_view::npos) break;
    text.remove_prefix(pos + 1);
  }
  return out;
}

}  // namespace xiaoqu::wecom::api::detail
