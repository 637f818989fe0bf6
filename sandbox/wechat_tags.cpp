// Sandbox tag endpoints (docs/protocol/followers-and-tags.md) with the platform's limits: 100 tags per account,
// names up to 30 characters and unique, system tags fixed, 50 openids per call, 20 tags per user.
#include <httplib.h>

#include "sandbox/wechat_followers.hpp"
#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {
namespace {
constexpr std::size_t kMaxCustomTags = 100;
constexpr std::size_t kMaxNameLength = 30;
constexpr std::size_t kMaxOpenidsPerCall = 50;
constexpr std::size_t kMaxTagsPerUser = 20;
constexpr std::uint64_t kMaxDeletableCount = 100'000;

bool system_tag(std::int64_t id) { return id >= 0 && id <= 2; }

using Refusal = std::optional<std::pair<long long, std::string>>;

// Why `name` may not be given to tag `id` (-1: a new tag), or nothing when it may.
Refusal name_problem(const AccountFollowers& f, const std::string& name, std::int64_t id) {
  if (name.empty()) return std::pair{40035LL, std::string("invalid args: tag name is empty")};
  if (utf8_length(name) > kMaxNameLength) return std::pair{45158LL, std::string("tag name too long")};
  for (const auto& [other, tag] : f.tags)
    if (other != id && tag.name == name) return std::pair{45157LL, std::string("tag name already exists")};
  return std::nullopt;
}

// The tag object of a body: {"tag": {...}}.
const nlohmann::json* tag_member(const nlohmann::json& body) {
  auto it = body.find("tag");
  return it != body.end() && it->is_object() ? &*it : nullptr;
}

// Shared by batchtagging and batchuntagging: why the call is refused, or nothing.
Refusal check_members(const AccountFollowers& f, const nlohmann::json& body, std::vector<std::string>& openids, std::int64_t& tag_id) {
  auto list = body.find("openid_list");
  auto id = integer_member(body, "tagid");
  if (list == body.end() || !list->is_array() || !id) return std::pair{47001LL, std::string("data format error: openid_list and tagid")};
  if (list->empty() || list->size() > kMaxOpenidsPerCall) return std::pair{40032LL, std::string("invalid openid list size")};
  if (!f.tags.count(*id)) return std::pair{45159LL, std::string("invalid tag id")};
  for (const auto& o : *list) {
    if (!o.is_string()) return std::pair{47001LL, std::string("data format error: openid_list")};
    const auto& openid = o.get_ref<const std::string&>();
    switch (f.standing(openid)) {
      case AccountFollowers::Standing::following: break;
      case AccountFollowers::Standing::foreign: return std::pair{49003LL, "openid " + openid + " does not belong to this appid"};
      default: return std::pair{40003LL, "invalid openid " + openid};
    }
    openids.push_back(openid);
  }
  tag_id = *id;
  return std::nullopt;
}

// A POST tag call of an account: the token checked, the JSON body read, then `handle` runs on
// the account's followers under the sandbox lock.
template <class Handle>
void post_tag_call(Sandbox& sb, const std::string& path, Handle handle) {
  sb.post(path, [&sb, handle](const httplib::Request& req, httplib::Response& res) {
    auto appid = require_account(sb, req, res);
    if (!appid) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    std::lock_guard lk(sb.mutex());
    handle(followers_of(sb, *appid), *body, res);
  });
}
}  // namespace

void register_wechat_tags(Sandbox& sb) {
  /// https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
  sb.get("/cgi-bin/tags/get", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto appid = require_account(sb, req, res);
    if (!appid) return;
    nlohmann::json tags = nlohmann::json::array();
    {
      std::lock_guard lk(sb.mutex());
      for (const auto& [id, tag] : followers_of(sb, *appid).tags) tags.push_back({{"id", id}, {"name", tag.name}, {"count", tag.count}});
    }
    Sandbox::reply(res, {{"tags", std::move(tags)}});
  });

  post_tag_call(sb, "/cgi-bin/tags/create", [](AccountFollowers& f, const nlohmann::json& body, httplib::Response& res) {
    const auto* tag = tag_member(body);
    auto name = tag ? string_member(*tag, "name") : std::nullopt;
    if (!name) return Sandbox::error(res, 47001, "data format error: tag.name");
    if (auto refused = name_problem(f, *name, -1)) return Sandbox::error(res, refused->first, refused->second);
    std::size_t custom = 0;
    for (const auto& entry : f.tags) custom += !system_tag(entry.first);
    if (custom >= kMaxCustomTags) return Sandbox::error(res, 45056, "too many tags");
    std::int64_t id = f.next_tag_id++;
    f.tags[id] = SandboxTag{*name, 0};
    Sandbox::reply(res, {{"tag", {{"id", id}, {"name", *name}}}});
  });

  post_tag_call(sb, "/cgi-bin/tags/update", [](AccountFollowers& f, const nlohmann::json& body, httplib::Response& res) {
    const auto* tag = tag_member(body);
    auto id = tag ? integer_member(*tag, "id") : std::nullopt;
    auto name = tag ? string_member(*tag, "name") : std::nullopt;
    if (!id || !name) return Sandbox::error(res, 47001, "data format error: tag.id and tag.name");
    if (system_tag(*id)) return Sandbox::error(res, 45058, "can't modify sys tag");
    if (!f.tags.count(*id)) return Sandbox::error(res, 45159, "invalid tag id");
    if (auto refused = name_problem(f, *name, *id)) return Sandbox::error(res, refused->first, refused->second);
    f.tags[*id].name = *name;
    Sandbox::error(res, 0, "ok");
  });

  post_tag_call(sb, "/cgi-bin/tags/delete", [](AccountFollowers& f, const nlohmann::json& body, httplib::Response& res) {
    const auto* tag = tag_member(body);
    auto id = tag ? integer_member(*tag, "id") : std::nullopt;
    if (!id) return Sandbox::error(res, 47001, "data format error: tag.id");
    if (system_tag(*id)) return Sandbox::error(res, 45058, "can't modify sys tag");
    auto it = f.tags.find(*id);
    if (it == f.tags.end()) return Sandbox::error(res, 45159, "invalid tag id");
    if (it->second.count > kMaxDeletableCount) return Sandbox::error(res, 45057, "can't delete the tag that has too many fans");
    f.tags.erase(it);
    for (auto& [openid, ids] : f.user_tags) ids.erase(*id);
    Sandbox::error(res, 0, "ok");
  });

  post_tag_call(sb, "/cgi-bin/tags/members/batchtagging", [](AccountFollowers& f, const nlohmann::json& body, httplib::Response& res) {
    std::vector<std::string> openids;
    std::int64_t tag_id = 0;
    if (auto refused = check_members(f, body, openids, tag_id)) return Sandbox::error(res, refused->first, refused->second);
    // All or nothing: check every user's tag count before changing anything.
    for (const auto& openid : openids) {
      auto it = f.user_tags.find(openid);
      if (it != f.user_tags.end() && !it->second.count(tag_id) && it->second.size() >= kMaxTagsPerUser)
        return Sandbox::error(res, 45059, "fans " + openid + " already has too many tags");
    }
    for (const auto& openid : openids)
      if (f.user_tags[openid].insert(tag_id).second) ++f.tags[tag_id].count;
    Sandbox::error(res, 0, "ok");
  });

  post_tag_call(sb, "/cgi-bin/tags/members/batchuntagging", [](AccountFollowers& f, const nlohmann::json& body, httplib::Response& res) {
    std::vector<std::string> openids;
    std::int64_t tag_id = 0;
    if (auto refused = check_members(f, body, openids, tag_id)) return Sandbox::error(res, refused->first, refused->second);
    for (const auto& openid : openids)
      if (auto it = f.user_tags.find(openid); it != f.user_tags.end() && it->second.erase(tag_id)) --f.tags[tag_id].count;
    Sandbox::error(res, 0, "ok");
  });

  post_tag_call(sb, "/cgi-bin/tags/getidlist", [](AccountFollowers& f, const nlohmann::json& body, httplib::Response& res) {
    auto openid = string_member(body, "openid");
    if (!openid) return Sandbox::error(res, 47001, "data format error: openid");
    auto standing = f.standing(*openid);
    if (standing == AccountFollowers::Standing::unknown || standing == AccountFollowers::Standing::foreign)
      return Sandbox::error(res, 40003, "invalid openid");
    nlohmann::json ids = nlohmann::json::array();
    if (auto it = f.user_tags.find(*openid); it != f.user_tags.end())
      for (auto id : it->second) ids.push_back(id);
    Sandbox::reply(res, {{"tagid_list", std::move(ids)}});
  });
}

}  // namespace xiaoqu::sandbox
