#include "community/followers/followers.hpp"

#include <algorithm>

namespace xiaoqu::community {
namespace {
void replace_tags(store::Connection& c, std::string_view appid, std::string_view openid, const std::vector<std::int64_t>& tag_ids) {
  auto& del = c.cached("DELETE FROM follower_tags WHERE appid = ?1 AND openid = ?2");
  del.bind(1, appid).bind(2, openid).run();
  if (tag_ids.empty()) return;
  auto& ins = c.cached("INSERT OR IGNORE INTO follower_tags (appid, openid, tag_id) VALUES (?1, ?2, ?3)");
  for (auto id : tag_ids) {
    ins.reset();
    ins.bind(1, appid).bind(2, openid).bind(3, id).run();
  }
}

std::vector<std::int64_t> parse_ids(const std::string& csv) {
  std::vector<std::int64_t> ids;
  std::size_t at = 0;
  while (at < csv.size()) {
    auto comma = csv.find(',', at);
    if (comma == std::string::npos) comma = csv.size();
    ids.push_back(std::stoll(csv.substr(at, comma - at)));
    at = comma + 1;
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The columns every listing reads, in FollowerRow order; ?1 is the appid.
constexpr std::string_view kRowColumns =
    "f.openid, f.subscribed, f.subscribe_time, f.unsubscribed_at, f.nickname, f.remark, f.language, f.subscribe_scene, "
    "(SELECT group_concat(t.tag_id) FROM follower_tags t WHERE t.appid = f.appid AND t.openid = f.openid), "
    "(SELECT r.id FROM residents r WHERE r.openid = f.openid AND r.appid = f.appid AND r.status = 'verified' LIMIT 1), "
    "(SELECT a.id FROM admin_accounts a WHERE a.wechat_openid = f.openid AND a.wechat_appid = f.appid LIMIT 1), "
    "f.updated_at";

FollowerRow read_row(store::Statement& s) {
  FollowerRow r;
  r.openid = s.text(0);
  r.subscribed = s.integer(1) != 0;
  r.subscribe_time = s.integer(2);
  if (!s.is_null(3)) r.unsubscribed_at = s.integer(3);
  r.nickname = s.text(4);
  r.remark = s.text(5);
  r.language = s.text(6);
  r.subscribe_scene = s.text(7);
  if (!s.is_null(8)) r.tag_ids = parse_ids(s.text(8));
  r.resident_id = s.is_null(9) ? 0 : s.integer(9);
  r.admin_id = s.is_null(10) ? 0 : s.integer(10);
  r.updated_at = s.integer(11);
  return r;
}

// LIKE pattern matching `text` anywhere, with the wildcards in it taken literally.
std::string contains_pattern(std::string_view text) {
  std::string p = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') p.push_back('\\');
    p.push_back(ch);
  }
  p.push_back('%');
  return p;
}
}  // namespace

std::size_t utf8_chars(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

void store_synced_followers(store::Connection& c, std::string_view appid, std::int64_t run_id,
                            std::span<const wechat::api::FollowerInfo> followers, std::int64_t now) {
  auto& up = c.cached(
      "INSERT INTO followers (appid, openid, subscribed, subscribe_time, unsubscribed_at, remark, language, unionid, "
      "subscribe_scene, last_synced_run, updated_at) VALUES (?1, ?2, 1, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (appid, openid) DO UPDATE SET subscribed = 1, subscribe_time = excluded.subscribe_time, "
      "unsubscribed_at = NULL, remark = excluded.remark, language = excluded.language, unionid = excluded.unionid, "
      "subscribe_scene = excluded.subscribe_scene, last_synced_run = excluded.last_synced_run, updated_at = excluded.updated_at");
  // In key order: openids arrive in no useful order, and each lands on a random leaf of the
  // (appid, openid) B-tree. Sorted, the leaves are visited once each, left to right, so a page
  // cache far smaller than the batch still never evicts a leaf it will dirty again.
  std::vector<const wechat::api::FollowerInfo*> in_order;
  in_order.reserve(followers.size());
  for (const auto& f : followers) in_order.push_back(&f);
  std::sort(in_order.begin(), in_order.end(), [](const auto* a, const auto* b) { return a->openid < b->openid; });
  for (const auto* fp : in_order) {
    const auto& f = *fp;
    if (!f.subscribed) {
      // Left between the list and the profile call.
      record_unfollow(c, appid, f.openid, now);
      continue;
    }
    up.reset();
    up.bind(1, appid).bind(2, f.openid).bind(3, f.subscribe_time).bind(4, f.remark).bind(5, f.language).bind(6, f.unionid);
    up.bind(7, f.subscribe_scene).bind(8, run_id).bind(9, now).run();
    replace_tags(c, appid, f.openid, f.tag_ids);
  }
}

void record_follow(store::Connection& c, std::string_view appid, std::string_view openid, std::int64_t subscribe_time,
                   std::string_view scene, std::int64_t now) {
  auto& s = c.cached(
      "INSERT INTO followers (appid, openid, subscribed, subscribe_time, subscribe_scene, updated_at) "
      "VALUES (?1, ?2, 1, ?3, ?4, ?5) ON CONFLICT (appid, openid) DO UPDATE SET subscribed = 1, "
      "subscribe_time = excluded.subscribe_time, unsubscribed_at = NULL, "
      "subscribe_scene = CASE WHEN excluded.subscribe_scene <> '' THEN excluded.subscribe_scene ELSE followers.subscribe_scene END, "
      "updated_at = excluded.updated_at");
  s.bind(1, appid).bind(2, openid).bind(3, subscribe_time).bind(4, scene).bind(5, now).run();
}

void record_unfollow(store::Connection& c, std::string_view appid, std::string_view openid, std::int64_t now) {
  // A user we never listed is still recorded: the list shows who left.
  auto& s = c.cached(
      "INSERT INTO followers (appid, openid, subscribed, unsubscribed_at, updated_at) VALUES (?1, ?2, 0, ?3, ?3) "
      "ON CONFLICT (appid, openid) DO UPDATE SET subscribed = 0, unsubscribed_at = excluded.unsubscribed_at, "
      "updated_at = excluded.updated_at");
  s.bind(1, appid).bind(2, openid).bind(3, now).run();
}

std::int64_t mark_unseen_unsubscribed(store::Connection& c, std::string_view appid, std::int64_t run_id,
                                      std::int64_t run_started_at, std::int64_t now) {
  store::Statement s(c,
                     "UPDATE followers SET subscribed = 0, unsubscribed_at = ?4, updated_at = ?4 "
                     "WHERE appid = ?1 AND subscribed = 1 AND last_synced_run <> ?2 AND updated_at < ?3 RETURNING 1");
  s.bind(1, appid).bind(2, run_id).bind(3, run_started_at).bind(4, now);
  std::int64_t marked = 0;
  while (s.step()) ++marked;
  return marked;
}

FollowerList list_followers(store::Connection& c, const FollowerQuery& q) {
  std::string where = " WHERE f.appid = ?1";
  if (!q.q.empty()) where += " AND (f.remark LIKE ?2 ESCAPE '\\' OR f.openid LIKE ?3 ESCAPE '\\')";
  if (q.tag) where += " AND EXISTS (SELECT 1 FROM follower_tags t WHERE t.appid = f.appid AND t.openid = f.openid AND t.tag_id = ?4)";
  if (q.state == FollowState::subscribed) where += " AND f.subscribed = 1";
  if (q.state == FollowState::unsubscribed) where += " AND f.subscribed = 0";
  auto bind = [&](store::Statement& s) {
    s.bind(1, q.appid);
    if (!q.q.empty()) {
      s.bind(2, contains_pattern(q.q));
      std::string prefix = contains_pattern(q.q).substr(1);  // openid: from its start
      s.bind(3, prefix);
    }
    if (q.tag) s.bind(4, *q.tag);
  };
  FollowerList out;
  store::Statement count(c, "SELECT count(*) FROM followers f" + where);
  bind(count);
  count.step();
  out.total = count.integer(0);
  store::Statement s(c, "SELECT " + std::string(kRowColumns) + " FROM followers f" + where +
                            " ORDER BY f.subscribe_time DESC, f.openid LIMIT ?5 OFFSET ?6");
  bind(s);
  s.bind(5, static_cast<std::int64_t>(q.page_size)).bind(6, static_cast<std::int64_t>(q.page - 1) * q.page_size);
  while (s.step()) out.rows.push_back(read_row(s));
  return out;
}

std::optional<FollowerRow> find_follower(store::Connection& c, std::string_view appid, std::string_view openid) {
  store::Statement s(c, "SELECT " + std::string(kRowColumns) + " FROM followers f WHERE f.appid = ?1 AND f.openid = ?2");
  s.bind(1, appid).bind(2, openid);
  if (!s.step()) return std::nullopt;
  return read_row(s);
}

std::optional<std::string> remark_problem(std::string_view remark) {
  if (utf8_chars(remark) > kRemarkMaxChars) return "备注不能超过" + std::to_string(kRemarkMaxChars) + "个字";
  for (unsigned char ch : remark)
    if (ch < 0x20) return std::string("备注不能包含换行或控制字符");
  return std::nullopt;
}

void save_remark(store::Connection& c, std::string_view appid, std::string_view openid, std::string_view remark,
                 std::int64_t now) {
  store::Statement s(c, "UPDATE followers SET remark = ?3, updated_at = ?4 WHERE appid = ?1 AND openid = ?2");
  s.bind(1, appid).bind(2, openid).bind(3, remark).bind(4, now).run();
}

std::int64_t save_tagging(store::Connection& c, std::string_view appid, std::int64_t tag_id,
                          std::span<const std::string> openids, std::int64_t now) {
  std::int64_t changed = 0;
  auto& ins = c.cached("INSERT OR IGNORE INTO follower_tags (appid, openid, tag_id) VALUES (?1, ?2, ?3) RETURNING 1");
  auto& touch = c.cached("UPDATE followers SET updated_at = ?3 WHERE appid = ?1 AND openid = ?2");
  for (const auto& o : openids) {
    ins.reset();
    ins.bind(1, appid).bind(2, o).bind(3, tag_id);
    while (ins.step()) ++changed;
    touch.reset();
    touch.bind(1, appid).bind(2, o).bind(3, now).run();
  }
  return changed;
}

std::int64_t save_untagging(store::Connection& c, std::string_view appid, std::int64_t tag_id,
                            std::span<const std::string> openids, std::int64_t now) {
  std::int64_t changed = 0;
  auto& del = c.cached("DELETE FROM follower_tags WHERE appid = ?1 AND openid = ?2 AND tag_id = ?3 RETURNING 1");
  auto& touch = c.cached("UPDATE followers SET updated_at = ?3 WHERE appid = ?1 AND openid = ?2");
  for (const auto& o : openids) {
    del.reset();
    del.bind(1, appid).bind(2, o).bind(3, tag_id);
    while (del.step()) ++changed;
    touch.reset();
    touch.bind(1, appid).bind(2, o).bind(3, now).run();
  }
  return changed;
}

}  // namespace xiaoqu::community
