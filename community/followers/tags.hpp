#pragma once
// The follower tags of each Official Account, mirrored from WeChat: refreshed from tags/get,
// and changed only after WeChat accepted a create / rename / delete.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"
#include "wechat/api/tag.hpp"

namespace xiaoqu::community {

struct FollowerTag {
  std::int64_t id = 0;
  std::string name;
  std::int64_t count = 0;
  bool system = false;  ///< 0, 1 and 2 belong to WeChat: neither renamed nor deleted
};

/// Most characters a tag name may have (WeChat: 30).
inline constexpr std::size_t kTagNameMaxChars = 30;
/// Why `name` cannot be a tag name, in Chinese; nothing when it can.
std::optional<std::string> tag_name_problem(std::string_view name);
bool is_system_tag(std::int64_t id) noexcept;

std::vector<FollowerTag> list_tags(store::Connection& c, std::string_view appid);
std::optional<FollowerTag> find_tag(store::Connection& c, std::string_view appid, std::int64_t id);
/// Replaces the account's tags with what tags/get returned.
void replace_tags(store::Connection& c, std::string_view appid, const std::vector<wechat::api::Tag>& tags, std::int64_t now);
/// Stores a tag WeChat created or renamed.
void save_tag(store::Connection& c, std::string_view appid, std::int64_t id, std::string_view name, std::int64_t now);
/// Forgets a tag WeChat deleted, and who held it.
void forget_tag(store::Connection& c, std::string_view appid, std::int64_t id);
/// Recounts the holders of a tag from the followers stored.
void recount_tag(store::Connection& c, std::string_view appid, std::int64_t id, std::int64_t now);

}  // namespace xiaoqu::community
