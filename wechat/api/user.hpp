#pragma once
// Followers of an Official Account (docs/protocol/followers-and-tags.md): the follower list, batch profiles and
// remarks. Every call names the account's credential; there is no current account.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "wechat/api_client.hpp"

namespace xiaoqu::wechat::api {

/// Most openids one user/get page holds.
inline constexpr std::size_t kFollowersPerPage = 10'000;
/// Most openids one user/info/batchget call accepts (40032 beyond).
inline constexpr std::size_t kBatchGetMax = 100;

/// One page of the follower list.
struct FollowerPage {
  std::int64_t total = 0;             ///< followers of the account
  std::int64_t count = 0;             ///< openids on this page
  std::vector<std::string> openids;
  std::string next_openid;            ///< where the next page starts; empty after the last
};

/// One user's profile as batchget returns it; only openid is set when `subscribed` is false.
struct FollowerInfo {
  std::string openid;
  bool subscribed = false;
  std::string language, unionid, remark;
  std::int64_t subscribe_time = 0;
  std::vector<std::int64_t> tag_ids;
  std::string subscribe_scene;        ///< ADD_SCENE_QR_CODE, ADD_SCENE_SEARCH, ...
  std::int64_t qr_scene = 0;
  std::string qr_scene_str;
};

/// One page of followers, starting after `next_openid` (empty for the first page).
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/Getting_a_User_List.html
FollowerPage get_followers(ApiClient& api, const CredentialKey& account, const std::string& next_openid = {});

/// Walks every page of the follower list in order, calling `visit` for each non-empty page.
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/Getting_a_User_List.html
void for_each_follower_page(ApiClient& api, const CredentialKey& account, const std::function<void(const FollowerPage&)>& visit);

/// Profiles of `openids`, in order, in as many calls of at most kBatchGetMax as needed.
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html
std::vector<FollowerInfo> batch_get_info(ApiClient& api, const CredentialKey& account, std::span<const std::string> openids,
                                         const std::string& lang = "zh_CN");

/// Sets the remark the account keeps for one follower (shorter than 30 characters).
/// https://developers.weixin.qq.com/doc/offiaccount/User_Management/Configuring_user_notes.html
void update_remark(ApiClient& api, const CredentialKey& account, const std::string& openid, const std::string& remark);

}  // namespace xiaoqu::wechat::api
