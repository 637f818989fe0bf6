#include "community/followers/tags.hpp"

#include "community/followers/followers.hpp"

namespace xiaoqu::community {
namespace {
FollowerTag read_tag(store::Statement& s) {
  FollowerTag t;
  t.id = s.integer(0);
  t.name = s.text(1);
  t.count = s.integer(2);
  t.system = is_system_tag(t.id);
  return t;
}
}  // namespace

bool is_system_tag(std::int64_t id) noexcept { return id >= 0 && id <= 2; }

std::optional<std::string> tag_name_problem(std::string_view name) {
  if (name.empty()) return std::string("标签名不能为空");
  if (utf8_chars(name) > kTagNameMaxChars) return "标签名不能超过" + std::to_string(kTagNameMaxChars) + "个字";
  for (unsigned char ch : name)
    if (ch < 0x20) return std::string("标签名不能包含换行或控制字符");
  return std::nullopt;
}

std::vector<FollowerTag> list_tags(store::Connection& c, std::string_view appid) {
  store::Statement s(c, "SELECT tag_id, name, count FROM tags WHERE appid = ?1 ORDER BY tag_id");
  s.bind(1, appid);
  std::vector<FollowerTag> out;
  while (s.step()) out.push_back(read_tag(s));
  return out;
}

std::optional<FollowerTag> find_tag(store::Connection& c, std::string_view appid, std::int64_t id) {
  store::Statement s(c, "SELECT tag_id, name, count FROM tags WHERE appid = ?1 AND tag_id = ?2");
  s.bind(1, appid).bind(2, id);
  if (!s.step()) return std::nullopt;
  return read_tag(s);
}

void replace_tags(store::Connection& c, std::string_view appid, const std::vector<wechat::api::Tag>& tags, std::int64_t now) {
  store::Statement del(c, "DELETE FROM tags WHERE appid = ?1");
  del.bind(1, appid).run();
  store::Statement ins(c, "INSERT INTO tags (appid, tag_id, name, count, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  for (const auto& t : tags) {
    ins.reset();
    ins.bind(1, appid).bind(2, t.id).bind(3, t.name).bind(4, t.count).bind(5, now).run();
  }
  // Holders of tags that no longer exist hold nothing.
  store::Statement orphans(c,
                           "DELETE FROM follower_tags WHERE appid = ?1 AND tag_id NOT IN (SELECT tag_id FROM tags WHERE appid = ?1)");
  orphans.bind(1, appid).run();
}

void save_tag(store::Connection& c, std::string_view appid, std::int64_t id, std::string_view name, std::int64_t now) {
  store::Statement s(c,
                     "INSERT INTO tags (appid, tag_id, name, count, updated_at) VALUES (?1, ?2, ?3, 0, ?4) "
                     "ON CONFLICT (appid, tag_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at");
  s.bind(1, appid).bind(2, id).bind(3, name).bind(4, now).run();
}

void forget_tag(store::Connection& c, std::string_view appid, std::int64_t id) {
  store::Statement t(c, "DELETE FROM tags WHERE appid = ?1 AND tag_id = ?2");
  t.bind(1, appid).bind(2, id).run();
  store::Statement h(c, "DELETE FROM follower_tags WHERE appid = ?1 AND tag_id = ?2");
  h.bind(1, appid).bind(2, id).run();
}

void recount_tag(store::Connection& c, std::string_view appid, std::int64_t id, std::int64_t now) {
  store::Statement s(c,
                     "UPDATE tags SET count = (SELECT count(*) FROM follower_tags WHERE appid = ?1 AND tag_id = ?2), "
                     "updated_at = ?3 WHERE appid = ?1 AND tag_id = ?2");
  s.bind(1, appid).bind(2, id).bind(3, now).run();
}

}  // namespace xiaoqu::community
