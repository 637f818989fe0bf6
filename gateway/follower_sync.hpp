#pragma once
// Full follower syncs of the connected Official Accounts (微信关注用户): user/get page by page,
// user/info/batchget in batches of 100 with a few calls in flight, each page's followers and
// the advanced cursor committed together, so a crash or restart resumes at the first page not
// committed and no finished page is fetched again. One thread per account being synced.
//
// An account is connected when it is configured with its app secret, or authorized to one of
// our components. Connected accounts without a sync get one; finished syncs are repeated every
// followers.resync_hours (repairing drift: who left unseen is marked unsubscribed); failed runs
// resume after followers.retry_failed_minutes.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "community/followers/follower_sync_runs.hpp"
#include "config/config.hpp"
#include "store/database.hpp"
#include "wechat/token_provider.hpp"

namespace xiaoqu::gateway {

class Platform;

class FollowerSync {
 public:
  FollowerSync(const config::Config& cfg, store::Database& db, Platform& platform);
  ~FollowerSync();
  FollowerSync(const FollowerSync&) = delete;
  FollowerSync& operator=(const FollowerSync&) = delete;

  /// The credential that calls WeChat for `appid`: its own token when configured with a
  /// secret, else the authorizer token of the component it is authorized to.
  std::optional<wechat::CredentialKey> credential_for(const std::string& appid);
  /// Every connected account's appid.
  std::vector<std::string> connected_accounts();

  /// Starts (or resumes the open run of) a full sync of `appid`; the run already going when
  /// one is. Nothing when the account is not connected.
  std::optional<community::SyncRun> start(const std::string& appid, std::string_view reason);
  /// What is due at `now`: interrupted runs, first syncs of newly connected accounts,
  /// scheduled re-syncs, failed runs past their retry delay. Reads the store; not for io threads.
  void start_due(std::int64_t now);
  /// Whether a sync of `appid` is running in this process.
  bool active(const std::string& appid);
  /// Stops every sync after its current call (the page in progress is not committed) and joins.
  void stop();

 private:
  void launch(const community::SyncRun& run, const wechat::CredentialKey& key);
  void run(community::SyncRun run, wechat::CredentialKey key);

  const config::Config& cfg_;
  store::Database& db_;
  Platform& platform_;
  std::mutex mu_;
  std::map<std::string, std::thread> threads_;  ///< by appid; joined when replaced or at stop
  std::set<std::string> active_;
  std::atomic<bool> stopping_{false};
};

/// The FollowerSync serving `platform` (the App's), for the admin API routes; null when none.
FollowerSync* follower_sync_of(const Platform& platform);

}  // namespace xiaoqu::gateway
