#pragma once
// The followers of each Official Account as WeChat knows them: stored from sync pages, kept
// current by subscribe/unsubscribe events, listed and searched for the console (微信关注用户).
// Remarks and tags are stored here only after WeChat accepted them (the caller's job), so the
// two never disagree. Plain functions over a connection: the caller owns the transaction.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"
#include "wechat/api/user.hpp"

namespace xiaoqu::community {

/// Stores one commit's worth of sync pages: every follower upserted as following (remark, language, scene and
/// tags as WeChat reported them), stamped with `run_id` so the run's end can tell who was not
/// seen. A user who left between user/get and batchget is stored as unsubscribed.
void store_synced_followers(store::Connection& c, std::string_view appid, std::int64_t run_id,
                            std::span<const wechat::api::FollowerInfo> followers, std::int64_t now);

/// A subscribe event: the follower follows (again) from `subscribe_time`; remark and tags kept.
/// `scene` is the subscribe_scene (ADD_SCENE_QR_CODE for a QR scan); empty keeps the one stored.
void record_follow(store::Connection& c, std::string_view appid, std::string_view openid, std::int64_t subscribe_time,
                   std::string_view scene, std::int64_t now);
/// An unsubscribe event: the follower is kept, marked as no longer following since `now`.
void record_unfollow(store::Connection& c, std::string_view appid, std::string_view openid, std::int64_t now);

/// After a complete sync run: followers still marked following that the run did not see and no
/// event touched since it started have left without us hearing of it. Returns how many.
std::int64_t mark_unseen_unsubscribed(store::Connection& c, std::string_view appid, std::int64_t run_id,
                                      std::int64_t run_started_at, std::int64_t now);

enum class FollowState { any, subscribed, unsubscribed };

struct FollowerQuery {
  std::string appid;
  std::string q;                   ///< part of the remark, or an openid (prefix)
  std::optional<std::int64_t> tag; ///< only followers holding this tag
  FollowState state = FollowState::any;
  int page = 1, page_size = 20;
};

struct FollowerRow {
  std::string openid;
  bool subscribed = false;
  std::int64_t subscribe_time = 0;
  std::optional<std::int64_t> unsubscribed_at;
  std::string nickname, remark, language, subscribe_scene;
  std::vector<std::int64_t> tag_ids;
  std::int64_t resident_id = 0;  ///< a verified resident of this account, 0 when none
  std::int64_t admin_id = 0;     ///< an admin who bound this WeChat user, 0 when none
  std::int64_t updated_at = 0;
};

struct FollowerList {
  std::int64_t total = 0;  ///< matching followers over all pages
  std::vector<FollowerRow> rows;
};

/// Newest followers first.
FollowerList list_followers(store::Connection& c, const FollowerQuery& q);
std::optional<FollowerRow> find_follower(store::Connection& c, std::string_view appid, std::string_view openid);

/// Most characters a remark may have (WeChat: "shorter than 30").
inline constexpr std::size_t kRemarkMaxChars = 29;
/// Why `remark` cannot be sent to WeChat, in Chinese; nothing when it can.
std::optional<std::string> remark_problem(std::string_view remark);
/// Stores a remark WeChat accepted.
void save_remark(store::Connection& c, std::string_view appid, std::string_view openid, std::string_view remark,
                 std::int64_t now);

/// Stores that WeChat gave / took `tag_id` to / from `openids`; returns how many changed.
std::int64_t save_tagging(store::Connection& c, std::string_view appid, std::int64_t tag_id,
                          std::span<const std::string> openids, std::int64_t now);
std::int64_t save_untagging(store::Connection& c, std::string_view appid, std::int64_t tag_id,
                            std::span<const std::string> openids, std::int64_t now);

/// Characters of UTF-8 text (code points).
std::size_t utf8_chars(std::string_view s);

}  // namespace xiaoqu::community
