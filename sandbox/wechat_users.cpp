// Sandbox follower endpoints (docs/protocol/followers-and-tags.md): user/get, user/info/batchget, updateremark, and
// the controls that set the follower count and make a follower leave.
#include <httplib.h>

#include "sandbox/wechat_followers.hpp"
#include "sandbox/wechat_support.hpp"

namespace xiaoqu::sandbox {
namespace {
constexpr std::size_t kPage = 10'000;
constexpr std::size_t kBatchMax = 100;
constexpr std::size_t kRemarkLimit = 30;
}  // namespace

void register_wechat_users(Sandbox& sb) {
  /// https://developers.weixin.qq.com/doc/offiaccount/User_Management/Getting_a_User_List.html
  sb.get("/cgi-bin/user/get", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto appid = require_account(sb, req, res);
    if (!appid) return;
    nlohmann::json reply;
    {
      std::lock_guard lk(sb.mutex());
      auto& followers = followers_of(sb, *appid);
      auto page = followers.page_after(req.get_param_value("next_openid"), kPage);
      if (!page) return Sandbox::error(res, 40003, "invalid next_openid");
      reply = {{"total", followers.total()}, {"count", page->openids.size()}, {"next_openid", page->next_openid}};
      // The platform leaves `data` out of an empty page.
      if (!page->openids.empty()) reply["data"] = {{"openid", std::move(page->openids)}};
    }
    Sandbox::reply(res, reply);
  });

  /// https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html
  sb.post("/cgi-bin/user/info/batchget", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto appid = require_account(sb, req, res);
    if (!appid) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto list = body->find("user_list");
    if (list == body->end() || !list->is_array()) return Sandbox::error(res, 47001, "data format error: user_list");
    if (list->empty() || list->size() > kBatchMax) return Sandbox::error(res, 40032, "invalid openid list size");
    nlohmann::json infos = nlohmann::json::array();
    std::lock_guard lk(sb.mutex());
    auto& followers = followers_of(sb, *appid);
    for (const auto& entry : *list) {
      auto openid = entry.is_object() ? string_member(entry, "openid") : std::nullopt;
      if (!openid) return Sandbox::error(res, 47001, "data format error: user_list[].openid");
      auto standing = followers.standing(*openid);
      if (standing == AccountFollowers::Standing::unknown || standing == AccountFollowers::Standing::foreign)
        return Sandbox::error(res, 40003, "invalid openid " + *openid);
      infos.push_back(followers.info(*openid));
    }
    Sandbox::reply(res, {{"user_info_list", std::move(infos)}});
  });

  /// https://developers.weixin.qq.com/doc/offiaccount/User_Management/Configuring_user_notes.html
  sb.post("/cgi-bin/user/info/updateremark", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto appid = require_account(sb, req, res);
    if (!appid) return;
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto openid = string_member(*body, "openid");
    auto remark = string_member(*body, "remark");
    if (!openid || !remark) return Sandbox::error(res, 47001, "data format error: openid and remark are required");
    // The page only says "shorter than 30 characters"; 40035 (invalid argument) is our pick (unconfirmed).
    if (utf8_length(*remark) >= kRemarkLimit) return Sandbox::error(res, 40035, "invalid args: remark must be shorter than 30 characters");
    std::lock_guard lk(sb.mutex());
    auto& followers = followers_of(sb, *appid);
    auto standing = followers.standing(*openid);
    if (standing == AccountFollowers::Standing::unknown || standing == AccountFollowers::Standing::foreign)
      return Sandbox::error(res, 40003, "invalid openid");
    if (remark->empty()) followers.remarks.erase(*openid);
    else followers.remarks[*openid] = *remark;
    Sandbox::error(res, 0, "ok");
  });

  // ---- control ----
  sb.post("/sandbox/wechat/followers", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "appid");
    auto count = integer_member(*body, "count");
    if (!appid || !count || *count < 0) return control_error(res, 400, "appid and a count >= 0 are required");
    std::lock_guard lk(sb.mutex());
    auto& followers = followers_of(sb, *appid);
    followers.set_generated(static_cast<std::uint64_t>(*count));
    Sandbox::reply(res, {{"total", followers.total()}});
  });

  // A user follows (again) and the platform pushes the subscribe event, as a search-and-follow would.
  sb.post("/sandbox/wechat/subscribe", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "appid");
    auto openid = string_member(*body, "openid");
    if (!appid || !openid || openid->empty()) return control_error(res, 400, "appid and openid are required");
    auto to = account_push(sb, *appid);
    if (!to) return control_error(res, 404, "no official account " + *appid + " in the configuration");
    {
      std::lock_guard lk(sb.mutex());
      auto& followers = followers_of(sb, *appid);
      if (followers.standing(*openid) == AccountFollowers::Standing::following) return control_error(res, 409, *openid + " already follows " + *appid);
      followers.subscribe(*openid);
    }
    auto [status, reply] = deliver(*to, event_xml(*appid, *openid, "subscribe"));
    sb.count("pushes " + to->path);
    Sandbox::reply(res, {{"gateway_status", status}, {"reply", reply}});
  });

  sb.post("/sandbox/wechat/unsubscribe", [&sb](const httplib::Request& req, httplib::Response& res) {
    auto body = Sandbox::body_json(req, res);
    if (!body) return;
    auto appid = string_member(*body, "appid");
    auto openid = string_member(*body, "openid");
    if (!appid || !openid) return control_error(res, 400, "appid and openid are required");
    auto to = account_push(sb, *appid);
    if (!to) return control_error(res, 404, "no official account " + *appid + " in the configuration");
    {
      std::lock_guard lk(sb.mutex());
      if (!followers_of(sb, *appid).unsubscribe(*openid)) return control_error(res, 409, *openid + " does not follow " + *appid);
    }
    auto [status, reply] = deliver(*to, event_xml(*appid, *openid, "unsubscribe"));
    sb.count("pushes " + to->path);
    Sandbox::reply(res, {{"gateway_status", status}});
  });
}

}  // namespace xiaoqu::sandbox
