#include "gateway/admin_api.hpp"

#include "community/structure/communities.hpp"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "community/accounts/admin_accounts.hpp"
#include "spreadsheet/sheet.hpp"
#include "config/log.hpp"
#include "gateway/platform.hpp"

namespace xiaoqu::gateway {
namespace {
using api::ApiError;

// A session's last_seen_at is written at most this often, not on every request.
constexpr std::int64_t kTouchEverySeconds = 60;

bool changes_state(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

Response to_response(api::ApiResponse&& a) {
  Response r;
  r.route = Route::admin_api;
  r.status = a.status;
  r.content_type = std::move(a.content_type);
  r.body = std::move(a.body);
  r.headers = std::move(a.headers);
  // Answers carry personal data and session tokens: never cached, never sniffed.
  bool has_cache_control = false;
  for (const auto& [k, v] : r.headers) has_cache_control |= k == "Cache-Control";
  if (!has_cache_control) r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

Response error_response(int status, std::string_view code, std::string_view message, std::string_view field = {},
                        std::string_view request_id = {}) {
  nlohmann::json e = {{"code", code}, {"message", message}};
  if (!field.empty()) e["field"] = field;
  if (!request_id.empty()) e["request_id"] = request_id;
  return to_response(api::ApiResponse::json({{"error", e}}, status));
}

// The signed-in admin of the request's session cookie, or ApiError 401.
api::Principal authenticate(const Request& req, const config::Config& cfg, store::Database& db) {
  const ApiError unauthenticated(401, "unauthenticated", "请先登录");
  std::string_view cookie = req.cookie("xiaoqu_session");
  if (cookie.empty() || cookie.size() > 128) throw unauthenticated;
  std::string hash = community::session_token_hash(cookie);
  auto& reader = db.reader();
  auto session = community::find_session(reader, hash);
  const std::int64_t now = std::time(nullptr);
  if (!session) throw unauthenticated;
  if (now >= session->expires_at || now - session->last_seen_at >= static_cast<std::int64_t>(cfg.admin.session_idle_seconds)) {
    db.submit([hash](store::Connection& c) { community::delete_session(c, hash); }, [](std::exception_ptr) {});
    throw ApiError(401, "unauthenticated", "登录已过期，请重新登录");
  }
  auto admin = community::find_admin(reader, session->admin_id);
  if (!admin || admin->disabled) throw unauthenticated;
  // Written at most once a minute, or more often when the idle limit is short.
  const std::int64_t touch_every = std::min<std::int64_t>(kTouchEverySeconds, cfg.admin.session_idle_seconds / 4);
  if (now - session->last_seen_at >= touch_every)
    db.submit([hash, now](store::Connection& c) { community::touch_session(c, hash, now); }, [](std::exception_ptr) {});
  api::Principal p;
  p.admin_id = admin->id;
  p.username = admin->username;
  p.is_operator = admin->is_operator();
  p.communities = admin->communities;
  p.csrf_token = session->csrf_token;
  p.session_hash = hash;
  return p;
}

bool community_exists(store::Database& db, std::int64_t id) {
  auto& s = db.reader().cached("SELECT 1 FROM communities WHERE id = ?1");
  s.bind(1, id);
  bool found = s.step();
  s.reset();
  return found;
}
}  // namespace

AdminApi::AdminApi(const config::Config& cfg, store::Database& db, const store::SecretBox& box, Platform& platform)
    : services_{cfg, db, box, platform} {
  api::register_all_routes(router_, services_);
}

void AdminApi::handle(Request&& req, Respond respond) {
  services_.platform.workers().post([this, req = std::move(req), respond = std::move(respond)] { respond(answer(req)); });
}

Response AdminApi::answer(const Request& req) {
  std::map<std::string, std::string, std::less<>> params;
  const api::Router::Route* route = router_.match(req.method, req.path, params);
  if (!route) {
    auto allowed = router_.allowed_methods(req.path);
    if (allowed.empty()) return error_response(404, "route_not_found", "接口不存在");
    Response r = error_response(405, "method_not_allowed", "此接口不支持 " + req.method + " 方法");
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  try {
    api::ApiRequest areq{req, std::move(params), {}};
    if (route->access != api::Access::public_route) {
      areq.principal = authenticate(req, services_.cfg, services_.db);
      if (changes_state(req.method) && !community::tokens_equal(req.header("x-csrf-token"), areq.principal.csrf_token))
        throw ApiError(403, "csrf", "缺少或错误的 X-CSRF-Token 请求头，请刷新页面后重试");
      if (route->access == api::Access::operator_only && !areq.principal.is_operator)
        throw ApiError(403, "forbidden", "只有运营账号可以执行此操作");
      if (areq.params.count("community")) {
        // One answer for "no such community" and "not yours", so ids of other customers are not confirmed.
        std::int64_t id = areq.community();
        if (!areq.principal.can_see(id) || !community_exists(services_.db, id))
          throw ApiError(404, "community_not_found", "小区不存在或无权访问");
      }
    }
    return to_response(route->handler(areq));
  } catch (const ApiError& e) {
    return error_response(e.status(), e.code(), e.what(), e.field());
  } catch (const community::RecordError& e) {
    // The records' refusals, whichever route they come from, map one way.
    static constexpr std::pair<int, const char*> kMap[] = {{400, "invalid"}, {404, "not_found"}, {409, "conflict"}, {403, "forbidden"}};
    auto [status, code] = kMap[static_cast<int>(e.kind())];
    return error_response(status, code, e.what(), e.field());
  } catch (const spreadsheet::SheetError& e) {
    // An uploaded file that is not a usable spreadsheet: too large, encrypted, corrupt, wrong layout.
    return error_response(e.code() == spreadsheet::SheetError::Code::too_large ? 413 : 400, e.code_name(), e.what(), "file");
  } catch (const store::StoreError& e) {
    // SQLite's messages name tables and constraints, never the values.
    log::error("admin_api.store_failed", {{"rid", req.request_id}, {"route", route->pattern}, {"method", route->method}, {"error", e.what()}});
    return error_response(500, "internal", "服务器内部错误，请稍后重试", {}, req.request_id);
  } catch (const std::exception& e) {
    log::error("admin_api.handler_failed", {{"rid", req.request_id}, {"route", route->pattern}, {"method", route->method}, {"error", e.what()}});
    return error_response(500, "internal", "服务器内部错误，请稍后重试", {}, req.request_id);
  }
}

void AdminApi::sweep_sessions() {
  std::int64_t idle = services_.cfg.admin.session_idle_seconds;
  services_.db.submit([idle](store::Connection& c) { community::delete_expired_sessions(c, std::time(nullptr), idle); },
                      [](std::exception_ptr) {});
}

}  // namespace xiaoqu::gateway
