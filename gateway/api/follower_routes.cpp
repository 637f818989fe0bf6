// 微信关注用户: the followers of the community's Official Account (list, search, filter), their
// tags and remarks, the full sync's progress and the account's certification expiry. Every
// change is made in WeChat first and stored only once WeChat accepted it, so the console and
// WeChat never disagree; WeChat's refusal comes back with its code and a Chinese message.
#include <nlohmann/json.hpp>

#include <ctime>
#include <set>
#include <span>

#include "community/shared/audit.hpp"
#include "community/followers/follower_sync_runs.hpp"
#include "community/followers/followers.hpp"
#include "community/followers/followers_account.hpp"
#include "community/followers/tags.hpp"
#include "gateway/api/services.hpp"
#include "gateway/follower_sync.hpp"
#include "gateway/platform.hpp"
#include "wechat/api/tag.hpp"
#include "wechat/api/user.hpp"

namespace xiaoqu::gateway::api {
namespace {
namespace cm = xiaoqu::community;

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// What WeChat's codes for these calls mean, as the console says it.
std::string wechat_meaning(long long errcode) {
  switch (errcode) {
    case 40003: return "不合法的 OpenID，或该用户未关注此公众号";
    case 40032: return "一次传入的 OpenID 数量不合法";
    case 40035: return "参数不合法（备注需少于 30 个字）";
    case 45009: case 45011: return "调用过于频繁，已超出微信接口频率限制，请稍后再试";
    case 45056: return "标签数量已达上限（每个公众号最多 100 个）";
    case 45057: return "该标签下粉丝数超过 10 万，不能直接删除";
    case 45058: return "不能修改或删除微信系统默认标签（0、1、2）";
    case 45059: return "有粉丝身上的标签数已超过上限（每人最多 20 个）";
    case 45157: return "标签名已存在";
    case 45158: return "标签名超过 30 个字";
    case 45159: return "标签不存在";
    case 48001: return "公众号没有此接口的权限（未认证或未授权给第三方平台）";
    case 49003: return "OpenID 不属于此公众号";
    default: return "微信拒绝了此操作";
  }
}

ApiError wechat_error(const wechat::PlatformError& e) {
  if (e.kind() == wechat::PlatformError::Kind::platform)
    return ApiError(422, "wechat_" + std::to_string(e.errcode()),
                    "微信返回错误 " + std::to_string(e.errcode()) + "：" + wechat_meaning(e.errcode()) + "（" + e.errmsg() + "）");
  return ApiError(502, "wechat_unreachable", "暂时无法连接微信接口，请稍后再试：" + std::string(e.what()));
}

struct Account {
  std::string appid;
  wechat::CredentialKey key;
};

// The community's Official Account, refused when it has none.
std::string appid_of(Services& s, std::int64_t community) {
  store::Statement q(s.db.reader(), "SELECT official_account_appid FROM communities WHERE id = ?1");
  q.bind(1, community);
  if (!q.step()) throw ApiError(404, "community_not_found", "小区不存在或无权访问");
  std::string appid = q.text(0);
  if (appid.empty()) throw ApiError(409, "no_official_account", "该小区尚未设置公众号（official_account_appid），没有关注用户");
  return appid;
}

FollowerSync& syncer(Services& s) {
  auto* f = follower_sync_of(s.platform);
  if (!f) throw ApiError(503, "followers_unavailable", "关注用户同步服务未启动");
  return *f;
}

// The appid and the credential that calls WeChat for it.
Account account_of(Services& s, std::int64_t community) {
  Account a{appid_of(s, community), {}};
  auto key = syncer(s).credential_for(a.appid);
  if (!key)
    throw ApiError(409, "account_not_connected", "公众号 " + a.appid + " 既未配置 AppSecret 也未授权给第三方平台，无法调用微信接口");
  a.key = *key;
  return a;
}

nlohmann::json follower_json(const cm::FollowerRow& f) {
  nlohmann::json j = {{"openid", f.openid},
                      {"subscribed", f.subscribed},
                      {"subscribe_time", f.subscribe_time},
                      {"unsubscribed_at", f.unsubscribed_at ? nlohmann::json(*f.unsubscribed_at) : nlohmann::json(nullptr)},
                      {"nickname", f.nickname},
                      {"remark", f.remark},
                      {"language", f.language},
                      {"subscribe_scene", f.subscribe_scene},
                      {"tag_ids", f.tag_ids},
                      {"is_resident", f.resident_id != 0},
                      {"is_admin", f.admin_id != 0},
                      {"updated_at", f.updated_at}};
  if (f.resident_id) j["resident_id"] = f.resident_id;
  if (f.admin_id) j["admin_id"] = f.admin_id;
  return j;
}

// The account's certification expiry and where it came from; the warning is today's.
nlohmann::json profile_json(const std::string& appid, const cm::AccountProfile& p) {
  auto warning = cm::certification_warning(p, cm::china_date(unix_now()));
  return {{"appid", appid},
          {"certification_expires_at", p.certification_expires_at ? nlohmann::json(*p.certification_expires_at) : nlohmann::json(nullptr)},
          {"certification_source", p.certification_source},
          {"certification_event", p.certification_event},
          {"warning", warning ? nlohmann::json(*warning) : nlohmann::json(nullptr)}};
}

nlohmann::json tag_json(const cm::FollowerTag& t) {
  return {{"id", t.id}, {"name", t.name}, {"count", t.count}, {"system", t.system}};
}

nlohmann::json run_json(const std::optional<cm::SyncRun>& r, bool active, std::int64_t now) {
  if (!r) return {{"status", "never"}, {"active", active}};
  auto eta = cm::estimated_finish(*r, now);
  return {{"run_id", r->id},
          {"status", r->status},
          {"reason", r->reason},
          {"active", active},
          {"started_at", r->started_at},
          {"finished_at", r->finished_at ? nlohmann::json(*r->finished_at) : nlohmann::json(nullptr)},
          {"total", r->total},
          {"done", r->done},
          {"pages_done", r->pages_done},
          {"estimated_finish_at", eta ? nlohmann::json(*eta) : nlohmann::json(nullptr)},
          {"marked_unsubscribed", r->marked_unsubscribed},
          {"last_error", r->last_error}};
}

std::int64_t tag_id(const ApiRequest& req) {
  const std::string& v = req.params.at("tag");
  try {
    std::size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  throw ApiError(404, "tag_not_found", "标签不存在");
}

std::string string_field(const nlohmann::json& body, const char* name, const char* label) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) throw ApiError(400, "invalid", std::string(label) + "（" + name + "）必须是字符串", name);
  return it->get<std::string>();
}

// The openids of a members body: 1 to 10,000 distinct followers of the account we know of.
std::vector<std::string> member_openids(Services& s, const std::string& appid, const nlohmann::json& body) {
  auto it = body.find("openids");
  if (it == body.end() || !it->is_array() || it->empty())
    throw ApiError(400, "invalid", "openids 必须是非空的 OpenID 数组", "openids");
  if (it->size() > 10'000) throw ApiError(400, "invalid", "openids 一次最多 10000 个", "openids");
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto& c = s.db.reader();
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& o = (*it)[i];
    if (!o.is_string()) throw ApiError(400, "invalid", "openids[" + std::to_string(i) + "] 必须是字符串", "openids");
    const std::string& openid = o.get_ref<const std::string&>();
    if (!seen.insert(openid).second) continue;
    auto f = cm::find_follower(c, appid, openid);
    if (!f || !f->subscribed)
      throw ApiError(400, "unknown_follower", "openids[" + std::to_string(i) + "] " + openid + " 不是此公众号的关注用户", "openids");
    out.push_back(openid);
  }
  return out;
}

void audit(Services& s, const ApiRequest& req, std::string action, nlohmann::json before, nlohmann::json after) {
  s.db.write([&](store::Connection& c) {
    cm::audit(c, {req.principal.actor(), std::move(action), "follower", 0, req.community(), std::move(before), std::move(after)}, unix_now());
  });
}

// Tags or untags in WeChat 50 at a time, storing each batch WeChat accepted as it goes, so a
// refusal part-way leaves the store agreeing with WeChat; the refusal says how far it got.
ApiResponse change_members(Services& s, ApiRequest& req, bool tagging) {
  auto account = account_of(s, req.community());
  std::int64_t id = tag_id(req);
  if (!cm::find_tag(s.db.reader(), account.appid, id)) throw ApiError(404, "tag_not_found", "标签不存在");
  auto openids = member_openids(s, account.appid, req.json());
  std::size_t applied = 0, calls = 0;
  std::int64_t changed = 0;
  try {
    for (std::size_t at = 0; at < openids.size(); at += wechat::api::kOpenidsPerTagCall) {
      std::span<const std::string> slice(openids.data() + at, std::min(wechat::api::kOpenidsPerTagCall, openids.size() - at));
      if (tagging) wechat::api::batch_tag(s.platform.wechat_api(), account.key, id, slice);
      else wechat::api::batch_untag(s.platform.wechat_api(), account.key, id, slice);
      ++calls;
      s.db.write([&](store::Connection& c) {
        std::int64_t now = unix_now();
        changed += tagging ? cm::save_tagging(c, account.appid, id, slice, now) : cm::save_untagging(c, account.appid, id, slice, now);
        cm::recount_tag(c, account.appid, id, now);
      });
      applied += slice.size();
    }
  } catch (const wechat::PlatformError& e) {
    auto err = wechat_error(e);
    throw ApiError(err.status(), err.code(),
                   std::string(err.what()) + "；已成功处理前 " + std::to_string(applied) + " 个，其余未改动", "openids");
  }
  audit(s, req, tagging ? "follower.tag" : "follower.untag", nullptr, {{"tag_id", id}, {"followers", applied}});
  return ApiResponse::json({{"tag_id", id}, {"applied", applied}, {"changed", changed}, {"wechat_calls", calls}});
}
}  // namespace

void register_follower_routes(Router& r, Services& s) {
  const std::string base = "/api/v1/communities/{community}/followers";

  r.add("GET", base, Access::signed_in, [&s](ApiRequest& req) {
    cm::FollowerQuery q;
    q.appid = appid_of(s, req.community());
    q.q = req.query("q").value_or("");
    if (cm::utf8_chars(q.q) > 64) throw ApiError(400, "invalid", "搜索词 q 不能超过 64 个字", "q");
    if (auto t = req.query("tag"); t && !t->empty()) {
      try {
        std::size_t used = 0;
        q.tag = std::stoll(*t, &used);
        if (used != t->size() || *q.tag < 0) throw std::invalid_argument("tag");
      } catch (const std::exception&) {
        throw ApiError(400, "invalid", "tag 必须是标签编号（非负整数）", "tag");
      }
    }
    std::string state = req.query("state").value_or("");
    if (state == "subscribed") q.state = cm::FollowState::subscribed;
    else if (state == "unsubscribed") q.state = cm::FollowState::unsubscribed;
    else if (!state.empty() && state != "all")
      throw ApiError(400, "invalid", "state 只能是 subscribed（已关注）、unsubscribed（已取消关注）或 all", "state");
    q.page = static_cast<int>(req.positive_query("page", 1, 1'000'000));
    q.page_size = static_cast<int>(req.positive_query("page_size", 20, 200));
    auto found = cm::list_followers(s.db.reader(), q);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& f : found.rows) items.push_back(follower_json(f));
    return ApiResponse::json({{"appid", q.appid}, {"items", items}, {"total", found.total}, {"page", q.page}, {"page_size", q.page_size}});
  });

  r.add("GET", base + "/sync", Access::signed_in, [&s](ApiRequest& req) {
    std::string appid = appid_of(s, req.community());
    auto run = cm::latest_sync_run(s.db.reader(), appid);
    auto* f = follower_sync_of(s.platform);
    return ApiResponse::json(run_json(run, f && f->active(appid), unix_now()));
  });

  r.add("POST", base + "/sync", Access::signed_in, [&s](ApiRequest& req) {
    auto account = account_of(s, req.community());
    auto run = syncer(s).start(account.appid, "manual");
    if (!run) throw ApiError(503, "followers_unavailable", "关注用户同步服务正在停止，请稍后再试");
    audit(s, req, "follower.sync", nullptr, {{"run_id", run->id}});
    return ApiResponse::json(run_json(run, true, unix_now()), 202);
  });

  r.add("GET", base + "/tags", Access::signed_in, [&s](ApiRequest& req) {
    auto account = account_of(s, req.community());
    // Counts change with every tagging in WeChat's own console too: read them fresh.
    std::string warning;
    try {
      auto tags = wechat::api::get_tags(s.platform.wechat_api(), account.key);
      s.db.write([&](store::Connection& c) { cm::replace_tags(c, account.appid, tags, unix_now()); });
    } catch (const wechat::PlatformError& e) {
      warning = std::string("未能从微信刷新标签，显示的是上次保存的标签：") + wechat_error(e).what();
    }
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : cm::list_tags(s.db.reader(), account.appid)) items.push_back(tag_json(t));
    nlohmann::json out = {{"items", items}};
    if (!warning.empty()) out["warning"] = warning;
    return ApiResponse::json(out);
  });

  r.add("POST", base + "/tags", Access::signed_in, [&s](ApiRequest& req) {
    auto account = account_of(s, req.community());
    std::string name = string_field(req.json(), "name", "标签名");
    if (auto problem = cm::tag_name_problem(name)) throw ApiError(400, "invalid", *problem, "name");
    wechat::api::Tag created;
    try {
      created = wechat::api::create_tag(s.platform.wechat_api(), account.key, name);
    } catch (const wechat::PlatformError& e) {
      throw wechat_error(e);
    }
    s.db.write([&](store::Connection& c) {
      cm::save_tag(c, account.appid, created.id, created.name, unix_now());
      cm::audit(c, {req.principal.actor(), "follower_tag.create", "follower_tag", created.id, req.community(), nullptr, {{"name", created.name}}},
                unix_now());
    });
    return ApiResponse::json({{"tag", tag_json({created.id, created.name, 0, false})}}, 201);
  });

  r.add("PATCH", base + "/tags/{tag}", Access::signed_in, [&s](ApiRequest& req) {
    auto account = account_of(s, req.community());
    std::int64_t id = tag_id(req);
    auto before = cm::find_tag(s.db.reader(), account.appid, id);
    if (!before) throw ApiError(404, "tag_not_found", "标签不存在");
    if (before->system) throw ApiError(409, "system_tag", "不能修改微信系统默认标签（0、1、2）");
    std::string name = string_field(req.json(), "name", "标签名");
    if (auto problem = cm::tag_name_problem(name)) throw ApiError(400, "invalid", *problem, "name");
    try {
      wechat::api::update_tag(s.platform.wechat_api(), account.key, id, name);
    } catch (const wechat::PlatformError& e) {
      throw wechat_error(e);
    }
    s.db.write([&](store::Connection& c) {
      cm::save_tag(c, account.appid, id, name, unix_now());
      cm::audit(c, {req.principal.actor(), "follower_tag.rename", "follower_tag", id, req.community(), {{"name", before->name}}, {{"name", name}}},
                unix_now());
    });
    auto after = cm::find_tag(s.db.reader(), account.appid, id);
    return ApiResponse::json({{"tag", tag_json(*after)}});
  });

  r.add("DELETE", base + "/tags/{tag}", Access::signed_in, [&s](ApiRequest& req) {
    auto account = account_of(s, req.community());
    std::int64_t id = tag_id(req);
    auto before = cm::find_tag(s.db.reader(), account.appid, id);
    if (!before) throw ApiError(404, "tag_not_found", "标签不存在");
    if (before->system) throw ApiError(409, "system_tag", "不能删除微信系统默认标签（0、1、2）");
    try {
      wechat::api::delete_tag(s.platform.wechat_api(), account.key, id);
    } catch (const wechat::PlatformError& e) {
      throw wechat_error(e);
    }
    s.db.write([&](store::Connection& c) {
      cm::forget_tag(c, account.appid, id);
      cm::audit(c, {req.principal.actor(), "follower_tag.delete", "follower_tag", id, req.community(), {{"name", before->name}}, nullptr},
                unix_now());
    });
    return ApiResponse::no_content();
  });

  r.add("POST", base + "/tags/{tag}/members", Access::signed_in, [&s](ApiRequest& req) { return change_members(s, req, true); });
  r.add("DELETE", base + "/tags/{tag}/members", Access::signed_in, [&s](ApiRequest& req) { return change_members(s, req, false); });

  r.add("PUT", base + "/{openid}/remark", Access::signed_in, [&s](ApiRequest& req) {
    auto account = account_of(s, req.community());
    const std::string& openid = req.params.at("openid");
    std::string remark = string_field(req.json(), "remark", "备注");
    if (auto problem = cm::remark_problem(remark)) throw ApiError(400, "invalid", *problem, "remark");
    auto before = cm::find_follower(s.db.reader(), account.appid, openid);
    if (!before) throw ApiError(404, "follower_not_found", "此公众号没有该关注用户");
    try {
      wechat::api::update_remark(s.platform.wechat_api(), account.key, openid, remark);
    } catch (const wechat::PlatformError& e) {
      throw wechat_error(e);
    }
    s.db.write([&](store::Connection& c) {
      cm::save_remark(c, account.appid, openid, remark, unix_now());
      cm::audit(c, {req.principal.actor(), "follower.remark", "follower", 0, req.community(), {{"openid", openid}, {"remark", before->remark}},
                    {{"openid", openid}, {"remark", remark}}},
                unix_now());
    });
    return ApiResponse::json({{"follower", follower_json(*cm::find_follower(s.db.reader(), account.appid, openid))}});
  });

  r.add("GET", base + "/account", Access::signed_in, [&s](ApiRequest& req) {
    std::string appid = appid_of(s, req.community());
    auto p = cm::load_account_profile(s.db.reader(), appid);
    return ApiResponse::json(profile_json(appid, p));
  });

  r.add("PATCH", base + "/account", Access::operator_only, [&s](ApiRequest& req) {
    std::string appid = appid_of(s, req.community());
    auto body = req.json();
    auto it = body.find("certification_expires_at");
    if (it == body.end()) throw ApiError(400, "invalid", "缺少 certification_expires_at（认证到期日 YYYY-MM-DD，或 null 清除）", "certification_expires_at");
    std::optional<std::string> date;
    if (!it->is_null()) {
      if (!it->is_string()) throw ApiError(400, "invalid", "certification_expires_at 必须是 YYYY-MM-DD 格式的日期或 null", "certification_expires_at");
      date = it->get<std::string>();
      if (auto problem = cm::date_problem(*date)) throw ApiError(400, "invalid", *problem, "certification_expires_at");
    }
    auto before = cm::load_account_profile(s.db.reader(), appid);
    s.db.write([&](store::Connection& c) {
      cm::save_certification_expiry(c, appid, date, "operator", unix_now());
      auto show = [](const std::optional<std::string>& d) { return d ? nlohmann::json(*d) : nlohmann::json(nullptr); };
      cm::audit(c, {req.principal.actor(), "account.certification", "official_account", 0, req.community(),
                    {{"certification_expires_at", show(before.certification_expires_at)}}, {{"certification_expires_at", show(date)}}},
                unix_now());
    });
    auto p = cm::load_account_profile(s.db.reader(), appid);
    return ApiResponse::json(profile_json(appid, p));
  });
}

}  // namespace xiaoqu::gateway::api
