#pragma once
// The followers of each Official Account in the sandbox. The configured number of followers
// is generated from the appid on demand (openid i is computed, not stored), so a million cost
// nothing until listed; users who arrive later (QR scans, OAuth) are kept beside them, with
// unsubscriptions, remarks and tags. Call everything here with sb.mutex() held.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {

/// The system tag followers can be given (0 and 1 are system tags too, but not listed).
inline constexpr std::int64_t kStarTagId = 2;

struct SandboxTag {
  std::string name;
  std::uint64_t count = 0;
};

class AccountFollowers {
 public:
  AccountFollowers(std::string appid, std::uint64_t generated);

  enum class Standing {
    unknown,    ///< not an openid of this account (40003)
    foreign,    ///< shaped like a generated openid of another account (49003)
    following,
    left,       ///< known to this account, not following (unsubscribed, or never followed)
  };
  Standing standing(const std::string& openid) const;

  /// Follows (again); `scene` is the QR scene it came through, if any.
  void subscribe(const std::string& openid, const std::string& scene = {});
  /// Stops following; false when the user was not following.
  bool unsubscribe(const std::string& openid);
  /// Makes a user known to the account without following (web authorization).
  void remember(const std::string& openid);
  /// Changes how many followers are generated; users beyond the new count are forgotten.
  void set_generated(std::uint64_t n);

  std::uint64_t total() const;
  struct Page {
    std::vector<std::string> openids;
    std::string next_openid;  ///< empty when no follower comes after this page
  };
  /// Up to `limit` followers after `next_openid` (empty: from the start); nothing when it is
  /// not an openid of this account.
  std::optional<Page> page_after(const std::string& next_openid, std::size_t limit) const;
  /// The user/info (batchget) entry of a known user.
  nlohmann::json info(const std::string& openid) const;

  std::map<std::string, std::string> remarks;
  std::map<std::int64_t, SandboxTag> tags;  ///< system tag 2 and the account's own
  std::int64_t next_tag_id = 100;
  std::map<std::string, std::set<std::int64_t>> user_tags;

 private:
  struct Arrival {
    std::size_t order;  ///< place after the generated followers
    bool following;
    std::int64_t subscribe_time;
    std::string scene;
  };
  std::optional<std::uint64_t> generated_index(const std::string& openid) const;
  std::optional<std::uint64_t> position(const std::string& openid) const;
  bool any_following_from(std::uint64_t position) const;
  std::string openid_at(std::uint64_t position) const;

  std::string appid_;
  std::uint64_t generated_;
  std::set<std::uint64_t> unsubscribed_;  ///< generated followers who left
  std::map<std::string, Arrival> arrivals_;
  std::vector<std::string> arrival_order_;
  std::uint64_t arrivals_following_ = 0;
};

/// Generated follower `index` of `appid`: 28 characters, stable across runs.
std::string generated_openid(const std::string& appid, std::uint64_t index);

/// The followers of `appid`, created on first use with config().sandbox.followers.
AccountFollowers& followers_of(Sandbox& sb, const std::string& appid);

}  // namespace xiaoqu::sandbox
