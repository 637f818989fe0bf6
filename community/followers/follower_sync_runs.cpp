#include "community/followers/follower_sync_runs.hpp"

#include "community/followers/followers.hpp"

namespace xiaoqu::community {
namespace {
constexpr std::string_view kColumns =
    "id, appid, reason, status, started_at, finished_at, next_openid, pages_done, total, done, marked_unsubscribed, "
    "last_error, updated_at";

SyncRun read_run(store::Statement& s) {
  SyncRun r;
  r.id = s.integer(0);
  r.appid = s.text(1);
  r.reason = s.text(2);
  r.status = s.text(3);
  r.started_at = s.integer(4);
  if (!s.is_null(5)) r.finished_at = s.integer(5);
  r.next_openid = s.text(6);
  r.pages_done = s.integer(7);
  r.total = s.integer(8);
  r.done = s.integer(9);
  r.marked_unsubscribed = s.integer(10);
  r.last_error = s.text(11);
  r.updated_at = s.integer(12);
  return r;
}

std::optional<SyncRun> one(store::Connection& c, const std::string& where, std::string_view key) {
  store::Statement s(c, "SELECT " + std::string(kColumns) + " FROM follower_sync_runs " + where);
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}
}  // namespace

std::optional<SyncRun> latest_sync_run(store::Connection& c, std::string_view appid) {
  return one(c, "WHERE appid = ?1 ORDER BY id DESC LIMIT 1", appid);
}

std::optional<SyncRun> open_sync_run(store::Connection& c, std::string_view appid) {
  return one(c, "WHERE appid = ?1 AND status <> 'done'", appid);
}

std::optional<SyncRun> sync_run(store::Connection& c, std::int64_t id) {
  store::Statement s(c, "SELECT " + std::string(kColumns) + " FROM follower_sync_runs WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

std::vector<SyncRun> running_sync_runs(store::Connection& c) {
  store::Statement s(c, "SELECT " + std::string(kColumns) + " FROM follower_sync_runs WHERE status = 'running' ORDER BY id");
  std::vector<SyncRun> out;
  while (s.step()) out.push_back(read_run(s));
  return out;
}

SyncRun begin_sync_run(store::Connection& c, std::string_view appid, std::string_view reason, std::int64_t now, bool* began) {
  if (auto open = open_sync_run(c, appid)) {
    store::Statement s(c, "UPDATE follower_sync_runs SET status = 'running', last_error = '', updated_at = ?2 WHERE id = ?1");
    s.bind(1, open->id).bind(2, now).run();
    if (began) *began = false;
    return *sync_run(c, open->id);
  }
  store::Statement s(c,
                     "INSERT INTO follower_sync_runs (appid, reason, status, started_at, updated_at) VALUES (?1, ?2, 'running', ?3, ?3)");
  s.bind(1, appid).bind(2, reason).bind(3, now).run();
  if (began) *began = true;
  return *sync_run(c, c.last_insert_id());
}

void advance_sync_run(store::Connection& c, std::int64_t run_id, std::string_view next_openid, std::int64_t total,
                      std::int64_t stored, std::int64_t now, std::int64_t pages) {
  auto& s = c.cached(
      "UPDATE follower_sync_runs SET next_openid = ?2, total = ?3, done = done + ?4, pages_done = pages_done + ?6, "
      "updated_at = ?5 WHERE id = ?1");
  s.bind(1, run_id).bind(2, next_openid).bind(3, total).bind(4, stored).bind(5, now).bind(6, pages).run();
}

void finish_sync_run(store::Connection& c, const SyncRun& run, std::int64_t now) {
  std::int64_t left = mark_unseen_unsubscribed(c, run.appid, run.id, run.started_at, now);
  store::Statement s(c,
                     "UPDATE follower_sync_runs SET status = 'done', finished_at = ?2, marked_unsubscribed = ?3, "
                     "last_error = '', updated_at = ?2 WHERE id = ?1");
  s.bind(1, run.id).bind(2, now).bind(3, left).run();
}

void fail_sync_run(store::Connection& c, std::int64_t run_id, std::string_view error, std::int64_t now) {
  store::Statement s(c, "UPDATE follower_sync_runs SET status = 'failed', last_error = ?2, updated_at = ?3 WHERE id = ?1");
  s.bind(1, run_id).bind(2, error).bind(3, now).run();
}

std::optional<std::int64_t> estimated_finish(const SyncRun& run, std::int64_t now) {
  if (run.status == "done" || run.done <= 0 || run.total <= 0) return std::nullopt;
  std::int64_t elapsed = std::max<std::int64_t>(now - run.started_at, 1);
  std::int64_t left = std::max<std::int64_t>(run.total - run.done, 0);
  return now + left * elapsed / run.done;
}

}  // namespace xiaoqu::community
