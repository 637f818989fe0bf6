#pragma once
// Follower tags of an Official Account (docs/protocol/followers-and-tags.md): list, create, rename, delete, tag and
// untag followers, the tags of one follower.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wechat::api {

/// Most openids one batchtagging / batchuntagging call accepts (40032 beyond).
inline constexpr std::size_t kOpenidsPerTagCall = 50;

struct Tag {
  std::int64_t id = 0;  ///< 0, 1 and 2 are system tags
  std::string name;
  std::int64_t count = 0;  ///< followers holding it
};

/// All tags of the account.
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
std::vector<Tag> get_tags(ApiClient& api, const CredentialKey& account);

/// Creates a tag (name up to 30 characters, at most 100 tags per account); returns it with its id.
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
Tag create_tag(ApiClient& api, const CredentialKey& account, const std::string& name);

/// Renames a tag.
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
void update_tag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id, const std::string& name);

/// Deletes a tag (not a system tag; not one held by more than 100,000 followers).
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
void delete_tag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id);

/// Gives `tag_id` to every openid, in calls of at most kOpenidsPerTagCall. Tagging is idempotent,
/// so after a failure part-way the whole call can simply be repeated.
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
void batch_tag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id, std::span<const std::string> openids);

/// Takes `tag_id` from every openid, in calls of at most kOpenidsPerTagCall.
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
void batch_untag(ApiClient& api, const CredentialKey& account, std::int64_t tag_id, std::span<const std::string> openids);

/// The tag ids one follower holds (tags/getidlist).
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
std::vector<std::int64_t> get_tag_ids_of_user(ApiClient& api, const CredentialKey& account, const std::string& openid);

}  // namespace xiaoqu::wechat::api
