#include "gateway/resident_pages.hpp"

#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

#include "community/accounts/admin_accounts.hpp"
#include "community/structure/communities.hpp"
#include "community/shared/personal_data.hpp"
#include "community/verification/resident_sessions.hpp"
#include "community/residents/residents.hpp"
#include "community/verification/sms_otp.hpp"
#include "community/structure/structure.hpp"
#include "community/verification/verification_requests.hpp"
#include "config/log.hpp"
#include "gateway/platform.hpp"
#include "gateway/web/pages.hpp"
#include "wechat/api/oauth.hpp"
#include "wechat/api/qrcode.hpp"
#include "wechat/platform_error.hpp"

namespace xiaoqu::gateway {
namespace {
namespace cm = community;
using json = nlohmann::json;

constexpr std::string_view kCookie = "xiaoqu_resident";

/// An answer for the resident: a page, a JSON body or a redirect.
struct PageError : std::runtime_error {
  PageError(int status, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message), status(status), code(std::move(code)), field(std::move(field)) {}
  int status;
  std::string code, field;
};

Response make(int status, std::string body, std::string content_type) {
  Response r;
  r.route = Route::resident_pages;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response json_response(const json& body, int status = 200) { return make(status, body.dump(), "application/json; charset=utf-8"); }

Response redirect(std::string location) {
  Response r = make(302, "", "text/plain; charset=utf-8");
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

std::string html_escape(std::string_view in) {
  std::string out;
  for (char ch : in) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(ch);
    }
  }
  return out;
}

void replace_once(std::string& s, std::string_view what, std::string_view with) {
  auto at = s.find(what);
  if (at != std::string::npos) s.replace(at, what.size(), with);
}

// A page with its start-up data; '<' in the JSON is escaped so no value can close the script.
Response page(std::string_view tmpl, const json& boot) {
  std::string body(tmpl);
  replace_once(body, "STYLE", web::kStyle);
  std::string data = boot.dump();
  std::string safe;
  for (char ch : data) {
    if (ch == '<') safe += "\\u003c";
    else safe.push_back(ch);
  }
  replace_once(body, "BOOT_JSON", safe);
  Response r = make(200, std::move(body), "text/html; charset=utf-8");
  r.headers.emplace_back("Content-Security-Policy", "default-src 'self'; img-src * data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
  return r;
}

Response message_page(int status, std::string_view message) {
  std::string body(web::kMessagePage);
  replace_once(body, "STYLE", web::kStyle);
  replace_once(body, "MESSAGE", html_escape(message));
  return make(status, std::move(body), "text/html; charset=utf-8");
}

std::optional<std::int64_t> positive_id(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}

std::string query_value(const Request& req, std::string_view name) {
  QueryParams q(req.query);
  return std::string(q.value(name));
}

std::string text_member(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) throw PageError(400, "invalid", std::string(name) + " 必须是文本", name);
  return it->get<std::string>();
}

}  // namespace

ResidentPages::ResidentPages(const config::Config& cfg, store::Database& db, const store::SecretBox& box, Platform& platform)
    : cfg_(cfg), db_(db), platform_(platform),
      personal_data_(std::make_unique<cm::PersonalData>(box, store::load_master_key(cfg.store))) {}

ResidentPages::~ResidentPages() = default;

void ResidentPages::handle(Request&& req, Respond respond) {
  platform_.workers().post([this, req = std::move(req), respond = std::move(respond)]() mutable { respond(answer(req)); });
}

Response ResidentPages::answer(const Request& req) {
  std::int64_t now = std::time(nullptr);
  auto parts = split_path(req.path);  // "r", ...
  bool is_api = parts.size() >= 2 && parts[1] == "api";
  try {
    auto& reader = db_.reader();
    auto load_community = [&](std::string_view id_text) {
      auto id = positive_id(id_text);
      if (!id) throw PageError(404, "not_found", "小区不存在");
      try {
        auto com = cm::get_community(reader, *id);
        if (com.official_account_appid.empty()) throw PageError(409, "not_connected", "该小区尚未关联公众号，请联系物业");
        return com;
      } catch (const cm::RecordError&) {
        throw PageError(404, "not_found", "小区不存在");
      }
    };
    auto session_for = [&](std::int64_t community_id) -> std::optional<cm::ResidentSession> {
      auto s = cm::find_resident_session(reader, req.cookie(kCookie), now);
      if (!s || s->community_id != community_id) return std::nullopt;
      return s;
    };

    // ---- GET /r/oauth?code&state: back from WeChat's authorize page ----
    if (parts.size() == 2 && parts[1] == "oauth" && req.method == "GET") {
      std::string state = query_value(req, "state"), code = query_value(req, "code");
      auto st = state.empty() ? std::nullopt : cm::find_oauth_state(reader, state, now);
      if (!st) {
        log::warn("resident.oauth_state_unknown", {{"rid", req.request_id}});
        return message_page(400, "链接无效，请回到公众号重新打开住户认证链接。");
      }
      std::string community_path = "/r/" + std::to_string(st->community_id) + "/form";
      if (st->used) {
        // A reloaded redirect: fine when this browser holds the session it opened.
        auto s = cm::find_resident_session(reader, req.cookie(kCookie), now);
        if (s && s->token_hash == st->session_hash) return redirect(community_path);
        return message_page(400, "此链接已使用过，请回到公众号重新打开住户认证链接。");
      }
      if (st->expired) return message_page(400, "链接已过期，请回到公众号重新打开住户认证链接。");
      if (code.empty()) return message_page(400, "您没有同意授权，无法进行住户认证。");
      const config::OfficialAccount* account = nullptr;
      for (const auto& a : cfg_.official_accounts)
        if (a.appid == st->appid) account = &a;
      if (!account || account->app_secret.empty()) return message_page(503, "公众号尚未配置网页授权，请联系物业。");
      wechat::api::OAuthGrant grant;
      try {
        grant = wechat::api::exchange_code(platform_.wechat_api(), account->appid, account->app_secret, code);
      } catch (const wechat::PlatformError& e) {
        log::warn("resident.oauth_exchange_failed", {{"rid", req.request_id}, {"errcode", std::to_string(e.errcode())}});
        if (e.errcode() == 40163) return message_page(400, "授权码已使用，请回到公众号重新打开住户认证链接。");
        if (e.errcode() == 40029 || e.errcode() == 42003) return message_page(400, "授权已失效，请回到公众号重新打开住户认证链接。");
        return message_page(502, "微信暂时无法完成授权，请稍后再试。");
      }
      if (grant.is_snapshotuser || grant.openid.empty()) return message_page(400, "请在微信中打开此链接并完成授权。");
      cm::ResidentSession session;
      bool first = false;
      db_.write([&](store::Connection& c) {
        session = cm::create_resident_session(c, st->community_id, st->appid, grant.openid, cfg_.verification.session_ttl_seconds, now);
        first = cm::use_oauth_state(c, state, session.token_hash, now);
        if (!first) throw PageError(400, "state_used", "此链接已使用过，请回到公众号重新打开住户认证链接。");
      });
      Response r = redirect(community_path);
      r.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + session.cookie_value + "; Path=/r; HttpOnly; SameSite=Lax; Max-Age=" +
                                               std::to_string(cfg_.verification.session_ttl_seconds) +
                                               (cfg_.verification.public_url.rfind("https://", 0) == 0 ? "; Secure" : ""));
      return r;
    }

    // ---- JSON endpoints: /r/api/{community}/... ----
    if (is_api) {
      if (parts.size() < 4) throw PageError(404, "not_found", "接口不存在");
      auto com = load_community(parts[2]);
      auto session = session_for(com.id);
      if (!session) throw PageError(401, "unauthenticated", "请从公众号重新打开住户认证链接");
      if (req.method != "GET" && !cm::tokens_equal(req.header("x-csrf-token"), session->csrf_token))
        throw PageError(403, "csrf", "页面已过期，请刷新后重试");
      std::string_view what = parts[3];
      json body;
      if (req.method == "POST") {
        body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) throw PageError(400, "invalid_json", "请求内容不是有效的 JSON 对象");
      }
      if (what == "structure" && parts.size() == 4 && req.method == "GET") {
        json out = {{"structures", json::array()}};
        for (const auto& s : cm::structures_of(reader, com.id)) out["structures"].push_back(cm::structure_tree_json(reader, s));
        return json_response(out);
      }
      if (what == "submissions" && parts.size() == 4 && req.method == "GET") {
        json out = {{"submissions", json::array()},
                    {"owner_reviewer", com.owner_review &&
                                           !cm::requests_for_owner(reader, com.id, session->appid, session->openid).empty()}};
        for (const auto& r : cm::requests_of(reader, com.id, session->appid, session->openid)) out["submissions"].push_back(cm::to_json(r));
        return json_response(out);
      }
      if (what == "submissions" && parts.size() == 4 && req.method == "POST") {
        cm::VerificationInput in;
        in.community_id = com.id;
        auto room = body.find("room_id");
        if (room == body.end() || !room->is_number_integer()) throw PageError(400, "invalid", "请选择您所在的房间", "room_id");
        in.room_id = room->get<std::int64_t>();
        in.appid = session->appid;
        in.openid = session->openid;
        in.name = text_member(body, "name");
        in.phone = text_member(body, "phone");
        in.identity = text_member(body, "identity");
        in.lease_end = text_member(body, "lease_end");
        in.id_type = text_member(body, "id_type");
        in.id_number = text_member(body, "id_number");
        std::string otp = text_member(body, "otp");
        cm::VerificationOutcome out;
        db_.write([&](store::Connection& c) {
          if (com.sms_otp && !otp.empty()) {
            auto phone = cm::normalize_mobile(in.phone);
            in.phone_proven = phone && cm::verify_otp(c, in.appid, in.openid, *phone, otp, now);
            if (!in.phone_proven) throw PageError(400, "invalid", "短信验证码不正确或已过期", "otp");
          }
          out = cm::submit_verification(c, *personal_data_, cfg_.verification, in, now);
        });
        log::info("verification.submitted", {{"rid", req.request_id},
                                             {"community", std::to_string(com.id)},
                                             {"request", std::to_string(out.request_id)},
                                             {"approved", out.approved ? "yes" : "no"},
                                             {"reason", out.reason},
                                             {"reminders", std::to_string(out.reminders)}});
        json reply = {{"request_id", out.request_id}, {"approved", out.approved}, {"rule", out.rule}, {"reason", out.reason}};
        reply["reason_text"] = cm::to_json(cm::get_request(db_.reader(), com.id, out.request_id))["reason_text"];
        return json_response(reply);
      }
      if (what == "otp" && parts.size() == 4 && req.method == "POST") {
        if (!com.sms_otp) throw PageError(409, "otp_off", "本小区无需短信验证");
        auto phone = cm::normalize_mobile(text_member(body, "phone"));
        if (!phone) throw PageError(400, "invalid", "请输入正确的 11 位手机号", "phone");
        db_.write([&](store::Connection& c) { cm::request_otp(c, cfg_.verification, com.id, session->appid, session->openid, *phone, now); });
        return json_response({{"sent", true}, {"expires_in", cfg_.verification.otp_ttl_seconds}});
      }
      if (what == "reviews" && parts.size() == 4 && req.method == "GET") {
        json out = {{"requests", json::array()}};
        for (const auto& r : cm::requests_for_owner(reader, com.id, session->appid, session->openid)) out["requests"].push_back(cm::to_json(r));
        return json_response(out);
      }
      if (what == "reviews" && parts.size() == 5 && req.method == "POST") {
        auto request_id = positive_id(parts[4]);
        if (!request_id) throw PageError(404, "not_found", "认证申请不存在");
        std::string decision = text_member(body, "decision");
        if (decision != "approve" && decision != "reject") throw PageError(400, "invalid", "decision 只能是 approve 或 reject", "decision");
        cm::VerificationRequest decided;
        db_.write([&](store::Connection& c) {
          cm::check_owner_may_review(c, com.id, *request_id, session->appid, session->openid);
          decided = cm::review_request(c, cfg_.verification, com.id, *request_id, decision == "approve", text_member(body, "reason"),
                                       "owner:" + session->openid, now);
        });
        return json_response(cm::to_json(decided));
      }
      throw PageError(404, "not_found", "接口不存在");
    }

    // ---- pages: /r/{community}[/form|/review|/poster] ----
    if (parts.size() >= 2 && parts.size() <= 3 && req.method == "GET") {
      auto com = load_community(parts[1]);
      std::string_view which = parts.size() == 3 ? parts[2] : std::string_view("entry");
      if (which == "poster") {
        store::Statement s(reader, "SELECT ticket FROM community_qrcodes WHERE community_id = ?1 AND appid = ?2");
        s.bind(1, com.id).bind(2, com.official_account_appid);
        if (!s.step()) return message_page(404, "物业尚未生成本小区的二维码。");
        return page(web::kPosterPage, {{"community_name", com.name},
                                       {"qr_image_url", wechat::api::showqrcode_url(cfg_.platforms.wechat_mp, s.text(0))},
                                       {"entry_url", cfg_.verification.public_url + "/r/" + std::to_string(com.id)}});
      }
      auto session = session_for(com.id);
      if (which == "entry" || !session) {
        if (session) return redirect("/r/" + std::to_string(com.id) + "/form");
        std::string state;
        db_.write([&](store::Connection& c) {
          state = cm::create_oauth_state(c, com.id, com.official_account_appid, cfg_.verification.state_ttl_seconds, now);
        });
        return redirect(wechat::api::authorize_url(cfg_.platforms.wechat_open, com.official_account_appid,
                                                   cfg_.verification.public_url + "/r/oauth", wechat::api::OAuthScope::base, state));
      }
      json boot = {{"community_id", com.id}, {"community_name", com.name}, {"csrf", session->csrf_token}, {"sms_otp", com.sms_otp}};
      if (which == "form") return page(web::kFormPage, boot);
      if (which == "review") return page(web::kReviewPage, boot);
    }
    return message_page(404, "页面不存在。");
  } catch (const PageError& e) {
    if (is_api) return json_response({{"error", {{"code", e.code}, {"message", e.what()}, {"field", e.field}}}}, e.status);
    return message_page(e.status, e.what());
  } catch (const cm::RecordError& e) {
    static constexpr int kStatus[] = {400, 404, 409, 403};
    int status = kStatus[static_cast<int>(e.kind())];
    if (is_api) return json_response({{"error", {{"code", "invalid"}, {"message", e.what()}, {"field", e.field()}}}}, status);
    return message_page(status, e.what());
  } catch (const cm::TooManyRequests& e) {
    Response r = json_response({{"error", {{"code", "too_many_requests"}, {"message", e.what()}}}}, 429);
    r.headers.emplace_back("Retry-After", std::to_string(e.retry_after()));
    return r;
  } catch (const std::exception& e) {
    log::error("resident.page_failed", {{"rid", req.request_id}, {"path", req.path}, {"error", e.what()}});
    if (is_api) return json_response({{"error", {{"code", "internal"}, {"message", "服务暂时不可用，请稍后再试"}}}}, 500);
    return message_page(500, "服务暂时不可用，请稍后再试。");
  }
}

}  // namespace xiaoqu::gateway
