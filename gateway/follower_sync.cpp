#include "gateway/follower_sync.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <future>
#include <iterator>
#include <memory>

#include "community/followers/followers.hpp"
#include "config/log.hpp"
#include "gateway/platform.hpp"
#include "store/platform_records.hpp"
#include "wechat/api/user.hpp"
#include "wechat/credentials.hpp"

namespace xiaoqu::gateway {
namespace {
std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

using wechat::api::FollowerInfo;
using wechat::api::FollowerPage;

// The profiles of one page's openids, in order: batchget calls of 100, `in_flight` at once.
// Stops taking new batches when `stopping` is set; rethrows the first failure.
std::vector<FollowerInfo> fetch_profiles(wechat::ApiClient& api, const wechat::CredentialKey& key,
                                         const std::vector<std::string>& openids, unsigned in_flight,
                                         const std::atomic<bool>& stopping) {
  const std::size_t batches = (openids.size() + wechat::api::kBatchGetMax - 1) / wechat::api::kBatchGetMax;
  std::vector<std::vector<FollowerInfo>> results(batches);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mu;
  auto worker = [&] {
    for (;;) {
      std::size_t b = next++;
      if (b >= batches || failed || stopping) return;
      std::size_t at = b * wechat::api::kBatchGetMax;
      std::span<const std::string> slice(openids.data() + at, std::min(wechat::api::kBatchGetMax, openids.size() - at));
      try {
        results[b] = wechat::api::batch_get_info(api, key, slice);
      } catch (...) {
        std::lock_guard lk(error_mu);
        if (!first_error) first_error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  unsigned n = static_cast<unsigned>(std::min<std::size_t>(std::max(in_flight, 1u), batches));
  for (unsigned i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);
  std::vector<FollowerInfo> out;
  out.reserve(openids.size());
  for (auto& r : results)
    for (auto& f : r) out.push_back(std::move(f));
  return out;
}
// Which FollowerSync serves which Platform (one per App), for the API routes.
std::mutex registry_mu;
std::map<const Platform*, FollowerSync*>& registry() {
  static std::map<const Platform*, FollowerSync*> r;
  return r;
}
}  // namespace

FollowerSync::FollowerSync(const config::Config& cfg, store::Database& db, Platform& platform)
    : cfg_(cfg), db_(db), platform_(platform) {
  std::lock_guard lk(registry_mu);
  registry()[&platform_] = this;
}

FollowerSync::~FollowerSync() {
  {
    std::lock_guard lk(registry_mu);
    registry().erase(&platform_);
  }
  stop();
}

FollowerSync* follower_sync_of(const Platform& platform) {
  std::lock_guard lk(registry_mu);
  auto it = registry().find(&platform);
  return it == registry().end() ? nullptr : it->second;
}

std::optional<wechat::CredentialKey> FollowerSync::credential_for(const std::string& appid) {
  for (const auto& a : cfg_.official_accounts)
    if (a.appid == appid && !a.app_secret.empty()) return wechat::official_account_key(appid);
  for (const auto& [component, authorizer] : store::authorized_accounts(db_.reader()))
    if (authorizer == appid) return wechat::authorizer_key(component, authorizer);
  return std::nullopt;
}

std::vector<std::string> FollowerSync::connected_accounts() {
  std::set<std::string> out;
  for (const auto& a : cfg_.official_accounts)
    if (!a.app_secret.empty()) out.insert(a.appid);
  for (const auto& [component, authorizer] : store::authorized_accounts(db_.reader())) out.insert(authorizer);
  return {out.begin(), out.end()};
}

bool FollowerSync::active(const std::string& appid) {
  std::lock_guard lk(mu_);
  return active_.count(appid) > 0;
}

std::optional<community::SyncRun> FollowerSync::start(const std::string& appid, std::string_view reason) {
  auto key = credential_for(appid);
  if (!key || stopping_) return std::nullopt;
  {
    std::lock_guard lk(mu_);
    if (active_.count(appid)) return community::open_sync_run(db_.reader(), appid);
    active_.insert(appid);  // claimed before the store is touched: a second caller waits for nothing
  }
  try {
    community::SyncRun run;
    bool began = false;
    db_.write([&](store::Connection& c) { run = community::begin_sync_run(c, appid, reason, unix_now(), &began); });
    log::info(began ? "followers.sync_started" : "followers.sync_resumed",
              {{"appid", appid}, {"run", std::to_string(run.id)}, {"reason", run.reason}, {"pages_done", std::to_string(run.pages_done)}});
    launch(run, *key);
    return run;
  } catch (...) {
    std::lock_guard lk(mu_);
    active_.erase(appid);
    throw;
  }
}

void FollowerSync::launch(const community::SyncRun& run, const wechat::CredentialKey& key) {
  std::lock_guard lk(mu_);
  auto it = threads_.find(run.appid);
  if (it != threads_.end()) {
    // The previous sync of this account has finished (it is no longer active): reap it.
    if (it->second.joinable()) it->second.join();
    threads_.erase(it);
  }
  threads_.emplace(run.appid, std::thread([this, run, key] { this->run(run, key); }));
}

void FollowerSync::start_due(std::int64_t now) {
  if (stopping_) return;
  for (const auto& appid : connected_accounts()) {
    if (active(appid)) continue;
    try {
      auto& c = db_.reader();
      if (auto open = community::open_sync_run(c, appid)) {
        bool interrupted = open->status == "running";
        bool retry = open->status == "failed" && open->updated_at + std::int64_t{cfg_.followers.retry_failed_minutes} * 60 <= now;
        if (interrupted || retry) start(appid, open->reason);
        continue;
      }
      auto last = community::latest_sync_run(c, appid);
      if (!last) {
        if (cfg_.followers.auto_sync) start(appid, "connected");
      } else if (cfg_.followers.resync_hours > 0 && last->finished_at &&
                 *last->finished_at + std::int64_t{cfg_.followers.resync_hours} * 3600 <= now) {
        start(appid, "scheduled");
      }
    } catch (const std::exception& e) {
      log::error("followers.sync_start_failed", {{"appid", appid}, {"error", e.what()}});
    }
  }
}

void FollowerSync::stop() {
  stopping_ = true;
  std::map<std::string, std::thread> threads;
  {
    std::lock_guard lk(mu_);
    threads.swap(threads_);
  }
  for (auto& [appid, t] : threads)
    if (t.joinable()) t.join();
}

void FollowerSync::run(community::SyncRun run, wechat::CredentialKey key) {
  auto& api = platform_.wechat_api();
  const auto began = std::chrono::steady_clock::now();
  const std::int64_t done_before = run.done;
  const std::size_t commit_rows = std::max(cfg_.followers.commit_rows, 1u);
  std::int64_t done = run.done;
  bool complete = false;
  // Whole pages fetched but not yet committed, with the cursor after the last of them. A graceful
  // stop or a platform failure commits them first; only a killed process fetches them again.
  auto pending = std::make_shared<std::vector<FollowerInfo>>();
  std::int64_t pending_pages = 0, total = run.total;
  std::string pending_cursor;
  // The previous commit, waited for before the next is queued: commits land in order while the
  // following pages are being fetched.
  std::future<void> committing;
  auto commit = [&] {
    if (pending_pages == 0) return;
    if (committing.valid()) committing.get();
    auto promise = std::make_shared<std::promise<void>>();
    committing = promise->get_future();
    db_.submit(
        [infos = std::move(pending), cursor = std::move(pending_cursor), pages = pending_pages, total, id = run.id,
         appid = run.appid](store::Connection& c) {
          std::int64_t now = unix_now();
          community::store_synced_followers(c, appid, id, *infos, now);
          community::advance_sync_run(c, id, cursor, total, static_cast<std::int64_t>(infos->size()), now, pages);
          // The group's strings were allocated by the fetching threads' malloc arenas: freed here
          // and trimmed, so the memory held stays one or two groups, not whatever was ever freed.
          std::vector<FollowerInfo>().swap(*infos);
          ::malloc_trim(0);
        },
        [promise](std::exception_ptr e) {
          if (e) promise->set_exception(e);
          else promise->set_value();
        });
    pending = std::make_shared<std::vector<FollowerInfo>>();
    pending->reserve(commit_rows + wechat::api::kFollowersPerPage);
    pending_pages = 0;
    pending_cursor.clear();
  };
  pending->reserve(commit_rows + wechat::api::kFollowersPerPage);
  try {
    FollowerPage page = wechat::api::get_followers(api, key, run.next_openid);
    while (!stopping_) {
      if (page.count == 0) {
        complete = true;
        break;
      }
      // The last page is known without asking again: no cursor, a short page, or the total reached.
      bool last = page.next_openid.empty() || page.openids.size() < wechat::api::kFollowersPerPage ||
                  done + page.count >= page.total;
      std::future<FollowerPage> following;
      if (!last) following = std::async(std::launch::async, [&api, &key, cursor = page.next_openid] {
        return wechat::api::get_followers(api, key, cursor);
      });
      auto infos = fetch_profiles(api, key, page.openids, cfg_.followers.batchget_in_flight, stopping_);
      if (stopping_) break;  // an incomplete page is not kept; the restart fetches it again
      pending->insert(pending->end(), std::make_move_iterator(infos.begin()), std::make_move_iterator(infos.end()));
      ++pending_pages;
      total = page.total;
      pending_cursor = page.next_openid.empty() ? page.openids.back() : page.next_openid;
      done += page.count;
      if (last || pending->size() >= commit_rows) commit();
      if (last) {
        complete = true;
        break;
      }
      FollowerPage next = following.get();
      // A cursor that does not move would loop forever.
      if (!next.next_openid.empty() && next.next_openid == page.next_openid)
        throw wechat::PlatformError("/cgi-bin/user/get", wechat::PlatformError::Kind::bad_response, 0, "next_openid did not advance");
      page = std::move(next);
    }
    commit();  // a stop keeps the whole pages already fetched
    if (committing.valid()) committing.get();
    if (complete) {
      db_.write([&](store::Connection& c) {
        auto fresh = community::sync_run(c, run.id);
        community::finish_sync_run(c, fresh ? *fresh : run, unix_now());
      });
      auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      log::info("followers.sync_done", {{"appid", run.appid}, {"run", std::to_string(run.id)}, {"followers", std::to_string(done)},
                                        {"fetched_now", std::to_string(done - done_before)}, {"seconds", std::to_string(seconds)}});
    } else {
      log::info("followers.sync_interrupted", {{"appid", run.appid}, {"run", std::to_string(run.id)}, {"followers", std::to_string(done)}});
    }
  } catch (const std::exception& e) {
    // The whole pages fetched before the failure still commit; the run resumes after them.
    try {
      commit();
      if (committing.valid()) committing.get();
    } catch (const std::exception& e2) {
      log::error("followers.sync_pages_not_committed", {{"appid", run.appid}, {"error", e2.what()}});
    }
    std::string error = e.what();
    log::error("followers.sync_failed", {{"appid", run.appid}, {"run", std::to_string(run.id)}, {"error", error}});
    try {
      db_.write([&](store::Connection& c) { community::fail_sync_run(c, run.id, error, unix_now()); });
    } catch (const std::exception& e2) {
      log::error("followers.sync_fail_not_recorded", {{"appid", run.appid}, {"error", e2.what()}});
    }
  }
  std::lock_guard lk(mu_);
  active_.erase(run.appid);
}

}  // namespace xiaoqu::gateway
