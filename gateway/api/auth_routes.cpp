// Sign-in, sign-out, the current session, and admin accounts (operators only).
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "community/accounts/admin_accounts.hpp"
#include "community/accounts/login_throttle.hpp"
#include "community/shared/masking.hpp"
#include "community/accounts/password.hpp"
#include "config/log.hpp"
#include "gateway/api/services.hpp"

namespace xiaoqu::gateway::api {
namespace {
using nlohmann::json;
namespace cm = community;

std::int64_t now() { return std::time(nullptr); }

json admin_json(const cm::AdminAccount& a) {
  return {{"id", a.id},
          {"username", a.username},
          {"display_name", a.display_name},
          {"phone", cm::mask_phone(a.phone)},
          {"role", a.role},
          {"disabled", a.disabled},
          {"communities", a.communities},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

ApiError from(const cm::AdminError& e) {
  switch (e.kind()) {
    case cm::AdminError::Kind::invalid: return ApiError(400, "invalid", e.what(), e.field());
    case cm::AdminError::Kind::duplicate: return ApiError(409, "duplicate", e.what(), e.field());
    case cm::AdminError::Kind::not_found: return ApiError(404, "not_found", e.what(), e.field());
    case cm::AdminError::Kind::conflict: break;
  }
  return ApiError(409, "conflict", e.what(), e.field());
}

// A member of the request object, checked for its type; nullopt when absent or null.
std::optional<std::string> optional_string(const json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::nullopt;
  if (!body[field].is_string()) throw ApiError(400, "invalid", std::string(field) + " 必须是字符串", field);
  return body[field].get<std::string>();
}

std::string required_string(const json& body, const char* field, const char* label) {
  auto v = optional_string(body, field);
  if (!v || v->empty()) throw ApiError(400, "invalid", std::string("请填写") + label, field);
  return *v;
}

std::optional<std::vector<std::int64_t>> optional_ids(const json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::nullopt;
  const auto& v = body[field];
  if (!v.is_array()) throw ApiError(400, "invalid", std::string(field) + " 必须是小区 id 的数组", field);
  std::vector<std::int64_t> out;
  for (const auto& x : v) {
    if (!x.is_number_integer() || x.get<std::int64_t>() <= 0)
      throw ApiError(400, "invalid", std::string(field) + " 必须是小区 id 的数组", field);
    out.push_back(x.get<std::int64_t>());
  }
  return out;
}

void only_fields(const json& body, std::initializer_list<const char*> allowed) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok |= it.key() == a;
    if (!ok) throw ApiError(400, "invalid", "不支持的字段：" + it.key(), it.key());
  }
}

// "https://host:port" -> "host:port"; empty for anything else.
std::string_view origin_host(std::string_view origin) {
  auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = origin.substr(scheme + 3);
  return rest.substr(0, rest.find('/'));
}

std::string session_cookie(const config::Config& cfg, std::string_view value, std::int64_t max_age) {
  std::string c = "xiaoqu_session=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (cfg.admin.cookie_secure) c += "; Secure";
  return c;
}

json visible_communities(store::Connection& c, const cm::AdminAccount& a) {
  json out = json::array();
  store::Statement s(c, a.is_operator()
                            ? "SELECT id, name FROM communities ORDER BY id"
                            : "SELECT c.id, c.name FROM communities c JOIN admin_communities ac ON ac.community_id = c.id "
                              "WHERE ac.admin_id = ?1 ORDER BY c.id");
  if (!a.is_operator()) s.bind(1, a.id);
  while (s.step()) out.push_back({{"id", s.integer(0)}, {"name", s.text(1)}});
  return out;
}

cm::AdminAccount existing_admin(store::Connection& c, std::int64_t id) {
  auto a = cm::find_admin(c, id);
  if (!a) throw ApiError(404, "not_found", "管理员不存在");
  return *a;
}

ApiResponse login(ApiRequest& req, Services& s, cm::LoginThrottle& throttle) {
  // Exempt from the CSRF token (there is no session yet), so a cross-site form post is
  // refused by its Origin instead: when the browser says where the request comes from,
  // it must be this host.
  std::string_view origin = req.http.header("origin");
  if (!origin.empty() && origin_host(origin) != req.http.header("host"))
    throw ApiError(403, "cross_origin", "不允许从其他网站发起登录");
  json body = req.json();
  std::string username = required_string(body, "username", "用户名");
  std::string password = required_string(body, "password", "密码");
  const std::int64_t t = now();
  if (auto wait = throttle.retry_after(username, req.http.remote, t); wait > 0) {
    ApiResponse r = ApiResponse::json(
        {{"error", {{"code", "too_many_attempts"}, {"message", "登录失败次数过多，请 " + std::to_string((wait + 59) / 60) + " 分钟后再试"}}}}, 429);
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  auto record = cm::login_record(s.db.reader(), username);
  // An unknown username costs the same hash verification as a wrong password.
  bool ok = cm::verify_password(record ? record->password_hash : cm::dummy_password_hash(), password);
  if (!record || !ok || record->disabled) {
    throttle.record_failure(username, req.http.remote, t);
    log::info("admin.login_failed", {{"rid", req.http.request_id}});
    throw ApiError(401, "invalid_credentials", "用户名或密码错误");
  }
  throttle.record_success(username);
  std::string rehash = cm::password_needs_rehash(record->password_hash) ? cm::hash_password(password) : std::string();
  cm::NewSession session;
  const std::int64_t ttl = s.cfg.admin.session_ttl_seconds;
  // The session starts now, not when the (slow, deliberately) hash check began.
  s.db.write([&](store::Connection& c) {
    if (!rehash.empty()) cm::replace_password_hash(c, record->id, rehash, now());
    session = cm::create_session(c, record->id, now(), ttl);
  });
  auto admin = existing_admin(s.db.reader(), record->id);
  log::info("admin.login", {{"rid", req.http.request_id}, {"admin", std::to_string(admin.id)}});
  ApiResponse r = ApiResponse::json(
      {{"admin", admin_json(admin)}, {"csrf_token", session.csrf_token}, {"communities", visible_communities(s.db.reader(), admin)}});
  r.headers.emplace_back("Set-Cookie", session_cookie(s.cfg, session.cookie_value, ttl));
  return r;
}

ApiResponse logout(ApiRequest& req, Services& s) {
  std::string hash = req.principal.session_hash;
  s.db.write([&](store::Connection& c) { cm::delete_session(c, hash); });
  ApiResponse r = ApiResponse::no_content();
  r.headers.emplace_back("Set-Cookie", session_cookie(s.cfg, "", 0));
  return r;
}

ApiResponse me(ApiRequest& req, Services& s) {
  auto admin = existing_admin(s.db.reader(), req.principal.admin_id);
  return ApiResponse::json({{"admin", admin_json(admin)},
                            {"csrf_token", req.principal.csrf_token},
                            {"communities", visible_communities(s.db.reader(), admin)}});
}

ApiResponse list(ApiRequest&, Services& s) {
  json items = json::array();
  for (const auto& a : cm::list_admins(s.db.reader())) items.push_back(admin_json(a));
  return ApiResponse::json({{"items", items}});
}

ApiResponse create(ApiRequest& req, Services& s) {
  json body = req.json();
  only_fields(body, {"username", "password", "role", "display_name", "phone", "communities"});
  cm::NewAdmin a;
  a.username = required_string(body, "username", "用户名");
  a.password = required_string(body, "password", "密码");
  a.role = required_string(body, "role", "角色");
  a.display_name = optional_string(body, "display_name").value_or("");
  a.phone = optional_string(body, "phone").value_or("");
  a.communities = optional_ids(body, "communities").value_or(std::vector<std::int64_t>{});
  if (auto problem = cm::password_problem(a.password)) throw ApiError(400, "invalid", *problem, "password");
  a.password_hash = cm::hash_password(a.password);
  std::int64_t id = 0;
  try {
    s.db.write([&](store::Connection& c) { id = cm::create_admin(c, a, req.principal.actor(), now()); });
  } catch (const cm::AdminError& e) {
    throw from(e);
  }
  return ApiResponse::json({{"admin", admin_json(existing_admin(s.db.reader(), id))}}, 201);
}

ApiResponse update(ApiRequest& req, Services& s) {
  std::int64_t id = req.id("admin");
  json body = req.json();
  only_fields(body, {"role", "display_name", "phone", "password", "communities", "disabled"});
  cm::AdminChanges ch;
  ch.role = optional_string(body, "role");
  ch.display_name = optional_string(body, "display_name");
  ch.phone = optional_string(body, "phone");
  ch.password = optional_string(body, "password");
  ch.communities = optional_ids(body, "communities");
  if (body.contains("disabled") && !body["disabled"].is_null()) {
    if (!body["disabled"].is_boolean()) throw ApiError(400, "invalid", "disabled 必须是 true 或 false", "disabled");
    ch.disabled = body["disabled"].get<bool>();
  }
  if (ch.password) {
    if (auto problem = cm::password_problem(*ch.password)) throw ApiError(400, "invalid", *problem, "password");
    ch.password_hash = cm::hash_password(*ch.password);
  }
  try {
    s.db.write([&](store::Connection& c) { cm::update_admin(c, id, ch, req.principal.actor(), now()); });
  } catch (const cm::AdminError& e) {
    throw from(e);
  }
  return ApiResponse::json({{"admin", admin_json(existing_admin(s.db.reader(), id))}});
}

ApiResponse remove(ApiRequest& req, Services& s) {
  std::int64_t id = req.id("admin");
  if (id == req.principal.admin_id) throw ApiError(409, "conflict", "不能删除自己的账号");
  try {
    s.db.write([&](store::Connection& c) { cm::delete_admin(c, id, req.principal.actor(), now()); });
  } catch (const cm::AdminError& e) {
    throw from(e);
  }
  return ApiResponse::no_content();
}

}  // namespace

void register_auth_routes(Router& r, Services& s) {
  auto throttle = std::make_shared<cm::LoginThrottle>(cm::ThrottleLimits{s.cfg.admin.login_max_failures_per_username,
                                                                          s.cfg.admin.login_max_failures_per_address,
                                                                          s.cfg.admin.login_window_seconds});
  r.add("POST", "/api/v1/auth/login", Access::public_route, [&s, throttle](ApiRequest& q) { return login(q, s, *throttle); });
  r.add("POST", "/api/v1/auth/logout", Access::signed_in, [&s](ApiRequest& q) { return logout(q, s); });
  r.add("GET", "/api/v1/auth/me", Access::signed_in, [&s](ApiRequest& q) { return me(q, s); });
  r.add("GET", "/api/v1/admins", Access::operator_only, [&s](ApiRequest& q) { return list(q, s); });
  r.add("POST", "/api/v1/admins", Access::operator_only, [&s](ApiRequest& q) { return create(q, s); });
  r.add("PATCH", "/api/v1/admins/{admin}", Access::operator_only, [&s](ApiRequest& q) { return update(q, s); });
  r.add("DELETE", "/api/v1/admins/{admin}", Access::operator_only, [&s](ApiRequest& q) { return remove(q, s); });
}

}  // namespace xiaoqu::gateway::api
