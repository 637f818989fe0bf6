#pragma once
// Full follower sync runs: one open run (running, or failed and waiting to resume) per account.
// Each committed page advances the run's user/get cursor in the same transaction as the
// followers it stored, so a crash or restart resumes at the first page not yet committed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace xiaoqu::community {

struct SyncRun {
  std::int64_t id = 0;
  std::string appid, reason, status;  ///< reason: connected / scheduled / manual; status: running / done / failed
  std::int64_t started_at = 0;
  std::optional<std::int64_t> finished_at;
  std::string next_openid;            ///< where user/get resumes; empty: from the first page
  std::int64_t pages_done = 0, total = 0, done = 0, marked_unsubscribed = 0;
  std::string last_error;
  std::int64_t updated_at = 0;
};

/// The newest run of the account, if any.
std::optional<SyncRun> latest_sync_run(store::Connection& c, std::string_view appid);
std::optional<SyncRun> sync_run(store::Connection& c, std::int64_t id);
/// The account's open run (running or failed), if any.
std::optional<SyncRun> open_sync_run(store::Connection& c, std::string_view appid);
/// Runs left running (by a crash or a stop), to resume at start-up.
std::vector<SyncRun> running_sync_runs(store::Connection& c);

/// Resumes the account's open run (a failed one runs again from its cursor) or begins a new
/// one from the first page. `began` says which.
SyncRun begin_sync_run(store::Connection& c, std::string_view appid, std::string_view reason, std::int64_t now,
                       bool* began = nullptr);
/// `pages` whole user/get pages committed: `stored` followers, the cursor for the next page, the
/// total WeChat reported.
void advance_sync_run(store::Connection& c, std::int64_t run_id, std::string_view next_openid, std::int64_t total,
                      std::int64_t stored, std::int64_t now, std::int64_t pages = 1);
/// The last page is in: followers not seen are marked as having left; the run is done.
void finish_sync_run(store::Connection& c, const SyncRun& run, std::int64_t now);
/// The run stopped on an error it cannot get past by retrying; it resumes from its cursor later.
void fail_sync_run(store::Connection& c, std::int64_t run_id, std::string_view error, std::int64_t now);

/// When the run will be done at its pace so far; nothing before the first page or once finished.
std::optional<std::int64_t> estimated_finish(const SyncRun& run, std::int64_t now);

}  // namespace xiaoqu::community
